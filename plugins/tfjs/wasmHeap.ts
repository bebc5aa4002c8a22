import type * as TF from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm 4.22's `BackendWasm` the native kernels read (checked by `checkWasmInternals`). */
export interface WasmBackendInternals {
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: TF.DataType): TF.TensorInfo;
}

/** Byte offset of a tensor's data in the wasm heap, or undefined when the backend holds it elsewhere. */
export function heapOffset(backend: WasmBackendInternals, t: TF.TensorInfo): number | undefined {
  return backend.dataIdMap.get(t.dataId)?.memoryOffset ?? undefined;
}

/**
 * The wasm heap's current buffer. Read it after the last `makeOutput` of a kernel: an allocation may grow the wasm
 * memory and detach the previous buffer.
 */
export function wasmHeap(backend: WasmBackendInternals): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}
