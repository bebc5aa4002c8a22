import { TemplateEngine } from '../core/util/createTemplateEngine.ts';
import { DEFAULT_TOOL_RESPONSE_TEMPLATE } from '../environments/code-sandbox/defaultToolResponseTemplate.ts';
const t = new TemplateEngine();
const base = { index: 0, language: 'python', truncated: false, timeout: 10, limit: '', message: '', durationMs: 1 };
console.log(JSON.stringify(await t.renderString(DEFAULT_TOOL_RESPONSE_TEMPLATE, { results: [{ ...base, status: 'ok', exitCode: 0, stdout: 'wrote\n', stderr: '' }, { ...base, status: 'error', exitCode: 3, stdout: '7\n', stderr: 'oops\n' }, { ...base, status: 'ok', exitCode: 0, stdout: '', stderr: '' }], skipped: 1, filesWritten: ['x.txt'] })));
