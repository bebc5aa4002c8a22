import { loadTf } from '../../../tfjs/loadTf.js';
import { createTfjsTransformerPolicy } from '../createTfjsTransformerPolicy.js';
import type { SaveDtype } from '../safetensors.js';
import { LoraAdapter, mergeLora } from './LoraAdapter.js';
import { readPeftAdapter } from './peftAdapterFiles.js';

/**
 * Writes a full Hugging Face checkpoint of `base` with the PEFT adapter merged in (W + s·B·A for every target), in
 * the base's dtype unless `dtype` is given. Returns the number of merged matrices.
 */
export async function mergePeftAdapter(o: { readonly base: string; readonly adapter: string; readonly out: string; readonly dtype?: SaveDtype | undefined }): Promise<{ merged: number; backend: string }> {
  const { tf } = await loadTf();
  const policy = await createTfjsTransformerPolicy({ path: o.base, dtype: o.dtype });
  try {
    const data = await readPeftAdapter(o.adapter, policy.config);
    const adapter = LoraAdapter.fromTensors(tf, data.settings, data.tensors);
    const vars = policy.variables();
    const merged = mergeLora(tf, policy.config, vars, adapter.variables, data.settings);
    let n = 0;
    for (const [name, t] of merged) {
      const v = vars.get(name)!;
      if (t === v) continue;
      v.assign(t);
      t.dispose();
      n++;
    }
    adapter.dispose();
    policy.markUpdated();
    await policy.save(o.out);
    return { merged: n, backend: policy.backend };
  } finally {
    policy.dispose();
  }
}
