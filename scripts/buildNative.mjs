#!/usr/bin/env node
// Builds the optional OpenBLAS matmul addon (native/matmul) during `npm ci` / `npm install`. It never fails the
// install: when a prerequisite is missing it prints one line saying what and exits 0; mappa then uses tfjs's own
// wasm kernel (MAPPA_NATIVE_MATMUL=1 turns that into an error at run time).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'matmul');
const note = (msg) => console.log(`mappa: native matmul not built (${msg}); using tfjs's wasm kernel`);

function main() {
  if (process.env.MAPPA_NATIVE_MATMUL === '0') return note('MAPPA_NATIVE_MATMUL=0');
  if (!existsSync(join(dir, 'binding.gyp'))) return note('native/matmul is not in this install');
  if (process.platform !== 'linux') return note(`only built on Linux, this is ${process.platform}`);
  const cxx = spawnSync('sh', ['-c', 'command -v g++ || command -v c++'], { encoding: 'utf8' });
  if (cxx.status !== 0) return note('no C++ compiler (install g++)');
  const cblas = ['/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h', '/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h', '/usr/include/openblas/cblas.h'];
  if (!cblas.some((f) => existsSync(f))) return note('OpenBLAS headers not found (apt-get install libopenblas-dev)');
  // Node's headers from the distribution (Debian's nodejs-dev / NodeSource); without them node-gyp would download them.
  const nodedir = ['/usr', '/usr/local'].find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
  if (!nodedir) return note("Node's headers not found in /usr/include/node or /usr/local/include/node");
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const gyp = candidates.find((f) => existsSync(f));
  if (!gyp) return note('node-gyp not found (it ships with npm)');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    return note(`node-gyp failed:\n${tail}\n`);
  }
  console.log('mappa: built the OpenBLAS matmul addon (native/matmul/build/Release/mappa_matmul.node)');
}

try {
  main();
} catch (err) {
  note(err instanceof Error ? err.message : String(err));
}
