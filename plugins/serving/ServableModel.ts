import type { Generation, GenerateRequest } from '../../core/contracts/Policy.js';

/** A generation request from raw context ids, as the server issues it. */
export interface ServeGenerateRequest extends Omit<GenerateRequest, 'messages'> {
  readonly contextIds: readonly number[];
  readonly ignoreEos?: boolean | undefined;
  readonly onToken?: ((id: number, logprob: number) => void) | undefined;
}

/**
 * What `mappa serve` needs from a model: chat rendering, a tokenizer, token-level generation and disposal.
 * `TfjsTransformerPolicy` is one; an adapter-wrapped policy (LoRA) will be another.
 */
export interface ServableModel {
  readonly vocabSize: number;
  readonly maxContextLength: number;
  readonly eosTokenIds: readonly number[];
  readonly tokenizer: {
    encode(text: string): number[];
    decode(ids: readonly number[], skipSpecialTokens?: boolean): string;
  };
  contextIds(messages: GenerateRequest['messages']): number[];
  generateFromIds(request: ServeGenerateRequest): Promise<Generation>;
  dispose?(): Promise<void> | void;
}

/** Loads a full checkpoint directory (config.json + safetensors) as a servable model. */
export type CheckpointLoader = (path: string, name: string) => Promise<ServableModel>;
