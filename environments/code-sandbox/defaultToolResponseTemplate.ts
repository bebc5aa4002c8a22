/**
 * Default Liquid template of the tool response appended to the agent's next turn. Variables: `results` (one per
 * code block run: index, language, status ok|error|timeout|sandbox-error, exitCode, stdout, stderr, truncated,
 * timeout, limit, message, durationMs), `skipped` (blocks not run), `filesWritten` (paths the action created or changed).
 */
export const DEFAULT_TOOL_RESPONSE_TEMPLATE = `{% for r in results %}<tool_response>
{% if r.status == 'timeout' %}Execution timed out{% if r.timeout != '' %} after {{ r.timeout }} s{% endif %}{% if r.limit == 'cpuTime' %} (CPU time limit){% endif %}.
{% elsif r.status == 'sandbox-error' %}Sandbox error: {{ r.message }}
{% elsif r.status == 'error' %}Exit code {{ r.exitCode }}.
{% endif %}{% if r.stdout != '' %}{{ r.stdout }}
{% endif %}{% if r.stderr != '' %}[stderr]
{{ r.stderr }}
{% endif %}{% if r.truncated %}[output truncated]
{% endif %}{% if r.stdout == '' and r.stderr == '' and r.status == 'ok' %}(no output)
{% endif %}</tool_response>
{% endfor %}{% if skipped > 0 %}({{ skipped }} more code block{% if skipped > 1 %}s{% endif %} not run.)
{% endif %}{% if filesWritten.size > 0 %}Files written: {{ filesWritten | join: ', ' }}
{% endif %}`;
