import type { RunCodeRequest, RunCodeResponse, Sandbox } from '../../../core/contracts/Sandbox.js';
import { parseMathExpression } from '../answers/parseMathExpression.js';
import { evaluatePython, PythonZeroDivisionError, pythonRepr } from '../answers/pythonArithmetic.js';

/**
 * Predicts what Python prints for the tiny programs of the SFT demonstrations (`print(12+3*4)`, a bare expression,
 * comments) without starting a process, so thousands of demonstrations are made in milliseconds. Not a sandbox for
 * agent code: anything else is answered with a `SandboxError`.
 */
export class ExpressionSandbox implements Sandbox {
  readonly name = 'expression';

  async run(req: RunCodeRequest): Promise<RunCodeResponse> {
    if (req.language !== 'python') return this.#unsupported(`language ${req.language}`);
    let stdout = '';
    const lines = req.code.split('\n');
    for (const [i, raw] of lines.entries()) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const printed = /^print\((.*)\)$/.exec(line);
      const expr = printed ? printed[1]! : line;
      let text: string;
      try {
        text = pythonRepr(evaluatePython(parseMathExpression(expr, 'python')));
      } catch (err) {
        if (err instanceof PythonZeroDivisionError) {
          const stderr = `Traceback (most recent call last):\n  File "main.py", line ${i + 1}, in <module>\n    ${line}\nZeroDivisionError: ${err.message}\n`;
          return { status: 'Success', message: '', runResult: { status: 'Error', returnCode: 1, stdout, stderr, executionTime: 0 }, files: {} };
        }
        return this.#unsupported(`line ${i + 1}: ${line}`);
      }
      if (printed) stdout += `${text}\n`;
    }
    return { status: 'Success', message: '', runResult: { status: 'Finished', returnCode: 0, stdout, stderr: '', executionTime: 0 }, files: {} };
  }

  #unsupported(what: string): RunCodeResponse {
    return { status: 'SandboxError', message: `the demonstration sandbox only evaluates print(<arithmetic>): ${what}`, files: {} };
  }
}
