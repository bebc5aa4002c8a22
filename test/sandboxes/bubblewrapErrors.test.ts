import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MappaError } from '../../core/util/MappaError.js';
import { createBubblewrapSandbox } from '../../plugins/sandboxes/bubblewrap/createBubblewrapSandbox.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mappa-bwrap-err-'));
  // As root the (fake) bwrap runs as the sandbox uid, which must reach it.
  await chmod(dir, 0o711);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<MappaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MappaError);
  return err as MappaError;
}

describe('bubblewrap sandbox start-up errors (never a silent unsandboxed fallback)', () => {
  it('names the apt package and the config options when bwrap is missing', async () => {
    const err = await failure(createBubblewrapSandbox({ bwrapPath: join(dir, 'no-such-bwrap') }));
    expect(err.message).toMatch(/bubblewrap is not installed/);
    expect(err.hint).toContain('apt-get install bubblewrap');
    expect(err.hint).toContain('bwrapPath');
    expect(err.hint).toContain('local-unsafe');
  });

  it('explains disabled user namespaces', async () => {
    // A stand-in bwrap that fails the way bwrap does when unprivileged user namespaces are off.
    const fake = join(dir, 'bwrap-no-userns');
    await writeFile(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "bubblewrap 0.8.0"; exit 0; fi\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n');
    await chmod(fake, 0o755);
    const err = await failure(createBubblewrapSandbox({ bwrapPath: fake }));
    expect(err.message).toContain('No permissions to create new namespace');
    expect(err.hint).toContain('user.max_user_namespaces');
    expect(err.hint).toContain('sandboxfusion');
  });

  it('explains a work root the sandbox user cannot traverse', async () => {
    if (process.getuid?.() !== 0) return;
    const closed = await mkdtemp(join(dir, 'closed-'));
    await chmod(closed, 0o700);
    const err = await failure(createBubblewrapSandbox({ workRoot: closed }));
    expect(err.message).toContain('cannot traverse');
    expect(err.hint).toContain('workRoot');
  });
});
