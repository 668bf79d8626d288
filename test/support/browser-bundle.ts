import { build } from 'esbuild';

/** `entryPoint` bundled for a browser page (ES2022 modules), as an app's bundler would: the code of one file. */
export async function bundleForBrowser(entryPoint: string, { minify = false } = {}): Promise<string> {
  const bundle = await build({
    entryPoints: [entryPoint],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify,
    logLevel: 'silent',
  });
  return bundle.outputFiles[0]!.text;
}
