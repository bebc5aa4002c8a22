import { z } from 'zod';
import type { Sandbox } from '../../core/contracts/Sandbox.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';

/** A real sandbox that also records the code of every run it was given (stateless and workspace runs alike). */
export interface CountingSandbox extends Sandbox {
  readonly runs: number;
  readonly codes: readonly string[];
}

/**
 * TEST ONLY decorator: forwards everything to `inner` (the real sandbox) and counts the runs. `stateless: true` hides
 * `openWorkspace`, so environments take their path for sandboxes without a workspace mode (e.g. SandboxFusion).
 */
export function countingSandbox(inner: Sandbox, options: { readonly stateless?: boolean } = {}): CountingSandbox {
  const codes: string[] = [];
  const openWorkspace = inner.openWorkspace?.bind(inner);
  return {
    name: inner.name,
    get runs() {
      return codes.length;
    },
    codes,
    run: (request) => {
      codes.push(request.code);
      return inner.run(request);
    },
    dispose: async () => inner.dispose?.(),
    ...(openWorkspace && !options.stateless
      ? {
          openWorkspace: async (o) => {
            const ws = await openWorkspace(o);
            return {
              hostDir: ws.hostDir,
              run: (request) => {
                codes.push(request.code);
                return ws.run(request);
              },
              close: () => ws.close(),
            };
          },
        }
      : {}),
  };
}

/** The decorated sandbox as a plugin (`sandbox: { use: counting }`), for pipelines built in tests. */
export function countingSandboxPlugin(shared: CountingSandbox) {
  return definePlugin({
    kind: 'sandbox',
    name: 'counting',
    description: 'TEST ONLY: a real sandbox that counts its runs',
    configSchema: z.strictObject({}),
    create: () => shared,
  });
}
