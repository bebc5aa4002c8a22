import { createBubblewrapSandbox } from '../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.ts';
const sb = await createBubblewrapSandbox({});
const r = await sb.run({ code: 'import os\nfor f in os.listdir("/proc/self/fd"):\n  try: print(f, os.readlink("/proc/self/fd/"+f))\n  except Exception as e: print(f, e)\nprint(open("/proc/1/cmdline").read())\nimport subprocess; print(subprocess.run(["ls","-la","/proc/1/fd"],capture_output=True,text=True))', language: 'python' });
console.log(r.runResult?.stdout, r.runResult?.stderr);
