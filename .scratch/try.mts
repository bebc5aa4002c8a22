import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
const t0 = performance.now();
const sb = await createBubblewrapSandbox({});
console.log('created', performance.now() - t0);
for (const [language, code] of [['python', 'import os,sys; print(os.getuid(), os.listdir("/proc/self/fd"), os.listdir("/")); print(sorted(os.environ))'], ['node', 'console.log(6*7)'], ['bash', 'echo $((6*7)); id']] as const) {
  const t = performance.now();
  const r = await sb.run({ code, language });
  console.log(language, JSON.stringify(r), performance.now() - t);
}
const r = await sb.run({ code: 'import numpy, pandas, sklearn.ensemble; print(numpy.__version__)', language: 'python' });
console.log(JSON.stringify(r));
