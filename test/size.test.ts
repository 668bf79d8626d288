import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledSize, coreBudgetBytes, sizeCases } from '../bench/size.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('size', () => {
  it(`keeps what a bundler pulls in for axios-amplify-auth/core within ${coreBudgetBytes} B min+gz`, async () => {
    const { gzipped } = await bundledSize(sizeCases.core, root);
    expect(gzipped).toBeGreaterThan(500); // a real bundle was measured, not an empty one
    expect(gzipped).toBeLessThanOrEqual(coreBudgetBytes);
  });
});
