import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { MappaError } from '../../core/util/MappaError.js';

function parseIds(value: string): number[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (ids.length === 0 || ids.some((x) => !Number.isInteger(x) || x < 0)) throw new InvalidArgumentError('expected comma-separated token ids, e.g. 3,17,42');
  return ids;
}

function parseIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

const print = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');

/** The checkpoint as a policy, with a PEFT LoRA adapter attached when `adapter` is given. */
/** Which BatchMatMul the loaded tfjs runs: `openblas` (native addon) or the backend's own kernel. */
async function matmulPath(): Promise<string> {
  const { loadTf } = await import('../../plugins/tfjs/loadTf.js');
  return (await loadTf()).matmul.path;
}

async function openModel(model: string, adapter: string | undefined) {
  const { createTfjsTransformerPolicy } = await import('../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js');
  const base = await createTfjsTransformerPolicy({ path: model });
  if (adapter === undefined) return { policy: base, dispose: () => base.dispose() };
  try {
    const policy = await base.withAdapter(adapter);
    return { policy, dispose: () => (policy.dispose(), base.dispose()) };
  } catch (err) {
    base.dispose();
    throw err;
  }
}

/** `mappa model init|score|generate`: build, inspect and sample tfjs-transformer checkpoints. */
export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('create a tfjs-transformer model, score token ids, generate text, merge LoRA adapters (JSON output)');

  model
    .command('init')
    .description('create a model from a preset with random weights and save it as a Hugging Face checkpoint')
    .requiredOption('--preset <name>', 'tiny | small | medium')
    .requiredOption('--out <dir>', 'output directory')
    .option('--tokenizer <kind>', 'byte | char', 'byte')
    .option('--seed <n>', 'seed of the initial weights', parseIntArg, 0)
    .option('--dtype <dtype>', 'float32 | bfloat16 | float16', 'float32')
    .option('--max-context <n>', 'max_position_embeddings', parseIntArg, 1024)
    .action(async (o: { preset: string; out: string; tokenizer: string; seed: number; dtype: string; maxContext: number }) => {
      if (!['tiny', 'small', 'medium'].includes(o.preset)) throw new MappaError(`--preset ${o.preset}: unknown preset`, { hint: 'use tiny, small or medium' });
      if (!['byte', 'char'].includes(o.tokenizer)) throw new MappaError(`--tokenizer ${o.tokenizer}: unknown tokenizer`, { hint: 'use byte or char' });
      if (!['float32', 'bfloat16', 'float16'].includes(o.dtype)) throw new MappaError(`--dtype ${o.dtype}: unsupported`, { hint: 'use float32, bfloat16 or float16' });
      const { createTfjsTransformerPolicy } = await import('../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js');
      const policy = await createTfjsTransformerPolicy({
        preset: o.preset as 'tiny',
        tokenizer: o.tokenizer as 'byte',
        seed: o.seed,
        dtype: o.dtype as 'float32',
        maxContextLength: o.maxContext,
      });
      await policy.save(o.out);
      let params = 0;
      for (const v of policy.variables().values()) params += v.size;
      print({ out: o.out, preset: o.preset, tokenizer: o.tokenizer, dtype: o.dtype, vocabSize: policy.vocabSize, parameters: params, backend: policy.backend });
      policy.dispose();
    });

  model
    .command('backend')
    .description('show which TensorFlow.js backend and which BatchMatMul (OpenBLAS addon or tfjs kernel) this machine uses')
    .action(async () => {
      const { loadTf } = await import('../../plugins/tfjs/loadTf.js');
      const { backend, source, skipped, matmul } = await loadTf();
      print({ backend, source, skipped, matmul });
    });

  model
    .command('score')
    .description('print the log-prob of each token given the ones before it')
    .requiredOption('--model <dir>', 'Hugging Face checkpoint directory')
    .requiredOption('--ids <ids>', 'comma-separated token ids (at least 2)', parseIds)
    .option('--adapter <dir>', 'PEFT LoRA adapter directory to apply to the model')
    .action(async (o: { model: string; ids: number[]; adapter?: string }) => {
      if (o.ids.length < 2) throw new MappaError('--ids: give at least two token ids (the first is the context of the second)');
      const { policy, dispose } = await openModel(o.model, o.adapter);
      const bad = o.ids.find((id) => id >= policy.vocabSize);
      if (bad !== undefined) throw new MappaError(`--ids: token id ${bad} is outside the vocabulary [0, ${policy.vocabSize})`);
      const [lps] = await policy.score([{ contextIds: o.ids.slice(0, 1), continuationIds: o.ids.slice(1) }]);
      const logprobs = lps ?? [];
      print({ ids: o.ids, nextTokenLogprobs: logprobs, sum: logprobs.reduce((a, b) => a + b, 0), backend: policy.backend, matmul: await matmulPath() });
      dispose();
    });

  model
    .command('generate')
    .description('generate from a prompt (rendered with the chat template as one user message) or from raw token ids')
    .requiredOption('--model <dir>', 'Hugging Face checkpoint directory')
    .option('--prompt <text>', 'user message')
    .option('--ids <ids>', 'raw context token ids instead of a prompt', parseIds)
    .option('--max-new-tokens <n>', 'tokens to generate at most', parseIntArg, 32)
    .option('--greedy', 'pick the most likely token at every step')
    .option('--temperature <t>', 'sampling temperature', parseNumber)
    .option('--top-p <p>', 'nucleus sampling', parseNumber)
    .option('--top-k <k>', 'top-k sampling', parseIntArg)
    .option('--seed <n>', 'sampling seed', parseIntArg, 0)
    .option('--adapter <dir>', 'PEFT LoRA adapter directory to apply to the model')
    .action(async (o: { model: string; prompt?: string; ids?: number[]; maxNewTokens: number; greedy?: boolean; temperature?: number; topP?: number; topK?: number; seed: number; adapter?: string }) => {
      if ((o.prompt === undefined) === (o.ids === undefined)) throw new MappaError('give exactly one of --prompt or --ids');
      const { policy, dispose } = await openModel(o.model, o.adapter);
      const sampling = { maxNewTokens: o.maxNewTokens, greedy: o.greedy === true, temperature: o.temperature, topP: o.topP, topK: o.topK };
      const g =
        o.prompt !== undefined
          ? await policy.generate({ messages: [{ role: 'user', content: o.prompt }], seed: o.seed, sampling })
          : await policy.generateFromIds({ contextIds: o.ids as number[], seed: o.seed, sampling });
      print({ contextIds: g.contextIds, ids: g.tokenIds, text: g.text, logprobs: g.logprobs, finishReason: g.finishReason, backend: policy.backend, matmul: await matmulPath() });
      dispose();
    });

  model
    .command('merge')
    .description('merge a PEFT LoRA adapter into its base and write a full Hugging Face checkpoint')
    .requiredOption('--base <dir>', 'base Hugging Face checkpoint directory')
    .requiredOption('--adapter <dir>', 'PEFT LoRA adapter directory (adapter_config.json, adapter_model.safetensors)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--dtype <dtype>', 'float32 | bfloat16 | float16 (default: the base\'s)')
    .action(async (o: { base: string; adapter: string; out: string; dtype?: string }) => {
      if (o.dtype !== undefined && !['float32', 'bfloat16', 'float16'].includes(o.dtype)) throw new MappaError(`--dtype ${o.dtype}: unsupported`, { hint: 'use float32, bfloat16 or float16' });
      const { mergePeftAdapter } = await import('../../plugins/policies/tfjs-transformer/lora/mergePeftAdapter.js');
      const r = await mergePeftAdapter({ base: o.base, adapter: o.adapter, out: o.out, dtype: o.dtype as 'float32' | undefined });
      print({ out: o.out, mergedMatrices: r.merged, backend: r.backend });
    });
}
