import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledSize, coreBudgetBytes, mainBudgetBytes, sizeCases } from '../bench/size.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('size', () => {
  for (const [entry, budget] of [
    ['core', coreBudgetBytes],
    ['main', mainBudgetBytes],
  ] as const) {
    it(`keeps what a bundler pulls in for installAmplifyAuth from the ${entry} entry within ${budget} B min+gz`, async () => {
      const { gzipped } = await bundledSize(sizeCases[entry], root);
      expect(gzipped).toBeGreaterThan(500); // a real bundle was measured, not an empty one
      expect(gzipped).toBeLessThanOrEqual(budget);
    });
  }
});
