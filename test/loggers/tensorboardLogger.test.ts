import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunLoggers } from '../../core/runner/RunLoggers.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createTensorboardLogger } from '../../plugins/loggers/index.js';

// ---- An event-file reader written here from the TFRecord framing and event.proto, independent of the writer. ----

/** CRC-32C (Castagnoli), bit by bit with the reflected polynomial 0x82F63B78. */
function crc32cBitwise(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const masked = (data: Uint8Array) => {
  const c = crc32cBitwise(data);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
};

function readRecords(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const lenBytes = buf.subarray(pos, pos + 8);
    const len = Number(lenBytes.readBigUInt64LE(0));
    if (buf.readUInt32LE(pos + 8) !== masked(lenBytes)) throw new Error(`bad length CRC at ${pos}`);
    const data = buf.subarray(pos + 12, pos + 12 + len);
    if (buf.readUInt32LE(pos + 12 + len) !== masked(data)) throw new Error(`bad data CRC at ${pos}`);
    out.push(data);
    pos += 12 + len + 4;
  }
  return out;
}

type Field = { no: number; wire: number; value: bigint | Buffer };
function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ no, wire, value: varint() });
    else if (wire === 1) fields.push({ no, wire, value: buf.subarray(pos, (pos += 8)) });
    else if (wire === 5) fields.push({ no, wire, value: buf.subarray(pos, (pos += 4)) });
    else if (wire === 2) {
      const len = Number(varint());
      fields.push({ no, wire, value: buf.subarray(pos, (pos += len)) });
    } else throw new Error(`wire type ${wire}`);
  }
  return fields;
}

interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars: Record<string, number>;
}
function decodeEvent(buf: Buffer): ReadEvent {
  const e: ReadEvent = { wallTime: NaN, step: 0, scalars: {} };
  for (const f of readFields(buf)) {
    if (f.no === 1 && f.wire === 1) e.wallTime = (f.value as Buffer).readDoubleLE(0);
    else if (f.no === 2 && f.wire === 0) e.step = Number(f.value);
    else if (f.no === 3 && f.wire === 2) e.fileVersion = (f.value as Buffer).toString('utf8');
    else if (f.no === 5 && f.wire === 2) {
      for (const v of readFields(f.value as Buffer).filter((x) => x.no === 1)) {
        const vf = readFields(v.value as Buffer);
        const tag = (vf.find((x) => x.no === 1)!.value as Buffer).toString('utf8');
        e.scalars[tag] = (vf.find((x) => x.no === 2 && x.wire === 5)!.value as Buffer).readFloatLE(0);
      }
    } else throw new Error(`unexpected Event field ${f.no}/${f.wire}`);
  }
  return e;
}

// ---------------------------------------------------------------------------------------------------------------

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('tensorboard logger', () => {
  it('writes an event file whose records pass their CRCs and hold every metric per step at float32 precision', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-tb-'));
    dirs.push(runDir);
    let clock = 1_700_000_000.25;
    const hub = new RunLoggers({ loggers: [{ id: 'tensorboard', logger: createTensorboardLogger({ logDir: 'tensorboard', runDir, now: () => clock++ }) }], log: silentLogger });
    await hub.start({ runDir, runName: 'r', pipelineName: 'p', config: {} });
    const rows = [
      { step: 0, 'eval/accuracy': 0.265 },
      { step: 1, 'train/success_rate': 0.5, 'train/coach/score/solver': 6.123456789, 'trainer/solver/loss': -0.001, label: 'skipped' },
      { step: 300, 'train/success_rate': 1, 'time/step_s': 7.25, nan: Number.NaN },
    ];
    for (const r of rows) await hub.log(r.step, r);
    const stats = await hub.finish({ status: 'finished', step: 300, artifacts: [] });
    expect(stats[0]).toMatchObject({ failed: 0, unsent: 0 });

    const files = await readdir(join(runDir, 'tensorboard'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^events\.out\.tfevents\.1700000000\./);
    const events = readRecords(await readFile(join(runDir, 'tensorboard', files[0]!))).map(decodeEvent);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0, wallTime: 1_700_000_000.25 });
    expect(events.slice(1).map((e) => e.step)).toEqual([0, 1, 300]);
    for (const [i, row] of rows.entries()) {
      const want = Object.fromEntries(
        Object.entries(row)
          .filter(([k, v]) => k !== 'step' && typeof v === 'number' && Number.isFinite(v))
          .map(([k, v]) => [k, Math.fround(v as number)]),
      );
      expect(events[i + 1]!.scalars).toEqual(want);
      expect(events[i + 1]!.wallTime).toBe(1_700_000_001.25 + i);
    }
  });

  it('the reader rejects a corrupted record (the CRC check is real)', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'mappa-tb-'));
    dirs.push(runDir);
    const logger = createTensorboardLogger({ logDir: join(runDir, 'tb'), runDir });
    await logger.start!({ runDir, runName: 'r', pipelineName: 'p', config: {} });
    await logger.log(1, { step: 1, x: 0.5 });
    const file = join(runDir, 'tb', (await readdir(join(runDir, 'tb')))[0]!);
    const buf = await readFile(file);
    expect(readRecords(buf)).toHaveLength(2);
    buf[buf.length - 6] = buf[buf.length - 6]! ^ 0x01;
    expect(() => readRecords(buf)).toThrow(/bad data CRC/);
  });
});
