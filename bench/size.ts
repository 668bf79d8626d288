import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Minified + gzipped bytes that a bundler pulls in for `code`, with axios and aws-amplify left
 * out (the app has them anyway). esbuild tree-shakes as webpack, Rollup and Vite do.
 */
export async function bundledSize(code: string, resolveDir: string): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    stdin: { contents: code, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    external: ['axios', 'aws-amplify', 'aws-amplify/*', '@aws-amplify/*'],
  });
  const bytes = result.outputFiles[0]!.contents;
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
}

/**
 * The size guard of `axios-amplify-auth/core`, checked by `npm test` so that growth is a
 * decision, not an accident. It measures about 7.3 kB with sessions, the adapter wrapper and tab
 * coordination (see docs/performance.md).
 */
export const coreBudgetBytes = 8.25 * 1024;

export const sizeCases = {
  core: "export { installAmplifyAuth } from 'axios-amplify-auth/core';",
  main: "export { installAmplifyAuth } from 'axios-amplify-auth';",
  axiosAuthRefresh: "export { createAuthRefresh } from 'axios-auth-refresh';",
};
