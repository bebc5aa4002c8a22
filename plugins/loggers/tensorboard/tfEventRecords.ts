import { crc32c } from '@aws-crypto/crc32c';

/** TFRecord framing masks its CRC32C checksums so that a CRC of data containing CRCs stays well distributed. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC32C of the length, the data, masked CRC32C of the data (little-endian). */
export function tfRecord(data: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(maskedCrc32c(head.subarray(0, 8)), 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([head, data, tail]);
}

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const bytesField = (field: number, bytes: Uint8Array) => [...tag(field, 2), ...varint(BigInt(bytes.length)), ...bytes];

/**
 * An `Event` protobuf (tensorflow/core/util/event.proto): wall_time = 1 (double), step = 2 (int64), then either
 * file_version = 3 (string) or summary = 5 (Summary { repeated Value value = 1 { tag = 1; simple_value = 2 (float) } }).
 */
export function encodeEvent(e: { wallTime: number; step: number; fileVersion?: string; scalars?: ReadonlyArray<readonly [string, number]> }): Uint8Array {
  const out: number[] = [];
  const wall = Buffer.alloc(8);
  wall.writeDoubleLE(e.wallTime, 0);
  out.push(...tag(1, 1), ...wall);
  out.push(...tag(2, 0), ...varint(BigInt(e.step)));
  if (e.fileVersion !== undefined) out.push(...bytesField(3, Buffer.from(e.fileVersion, 'utf8')));
  if (e.scalars?.length) {
    const summary: number[] = [];
    for (const [name, value] of e.scalars) {
      const f = Buffer.alloc(4);
      f.writeFloatLE(value, 0);
      summary.push(...bytesField(1, Uint8Array.from([...bytesField(1, Buffer.from(name, 'utf8')), ...tag(2, 5), ...f])));
    }
    out.push(...bytesField(5, Uint8Array.from(summary)));
  }
  return Uint8Array.from(out);
}
