// `glioflow show` never drops a results.json silently: one that fails its schema check is named (file and problem).
import { describe, expect, it } from 'vitest';
import { TestProject } from '../engine/helpers.js';

// A plugin stage in place of the built-in `evaluate`, writing a results.json of another schema.
const PLUGIN = `export default {
  name: 'evaluate',
  description: 'writes a results.json that fails the schema check',
  version: 1,
  params: {},
  async run(ctx) {
    await ctx.writeOutput('results.json', JSON.stringify({ schema: 'other/1', model: 'X' }), { materialize: 'experiments/X/results.json' });
  },
};
`;

describe('show', () => {
  it('names a results.json that fails its schema check, with the problem, and exits 1', () => {
    const p = new TestProject('glioflow-show-');
    p.write('fake-evaluate.mjs', PLUGIN);
    p.write('pipeline.yaml', 'plugins: [./fake-evaluate.mjs]\nstages:\n  evaluate: { uses: evaluate }\n');
    expect(p.run().summary.ok).toBe(true);
    const r = p.cli(['show']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('experiments/X/results.json: unknown schema "other/1" (expected glioflow.model-result/1) (stage evaluate)');
  });
});
