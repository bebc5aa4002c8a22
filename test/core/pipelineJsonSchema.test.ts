import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const schema = JSON.parse(readFileSync('schema/pipeline.schema.json', 'utf8')) as Record<string, unknown>;
const examples = ['examples/custom-plugin/pipeline.yaml', ...['mathchat', 'dsbench'].flatMap((d) => readdirSync(join('examples', d)).filter((f) => /^pipeline.*\.yaml$/.test(f)).map((f) => join('examples', d, f)))];

describe('pipeline JSON Schema (schema/pipeline.schema.json)', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // zod emits format "uri" for base URLs; check it the way the config loader does (WHATWG URL parsing).
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  const validate = ajv.compile(schema);

  it.each(examples)('accepts %s', (file) => {
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    // Third-party plugins are not in the committed schema.
    if (file.includes('custom-plugin')) doc['environment'] = { use: 'mathchat' };
    const ok = validate(doc);
    expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
  });

  it('rejects a misspelt plugin name and an unknown plugin field, so editors flag them', () => {
    const doc = parse(readFileSync('examples/mathchat/pipeline.yaml', 'utf8')) as Record<string, any>;
    expect(validate({ ...doc, coach: { use: 'mathchat-rul' } })).toBe(false);
    expect(validate({ ...doc, coach: { use: 'mathchat-rule', nonsense: 1 } })).toBe(false);
    expect(validate({ ...doc, run: { ...doc['run'], stepz: 3 } })).toBe(false);
  });
});
