import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const publicNames = [
  'AmplifyAuthError',
  'SessionEndedError',
  'fromCurrentSession',
  'fromFetchAuthSession',
  'installAmplifyAuth',
  'isAmplifyAuthError',
];

/** Every file an entry loads, following its relative imports and requires. */
function filesLoadedBy(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const [, specifier] of code(entry).matchAll(/(?:from|import|require\()\s*['"](\.[^'"]+)['"]/g)) {
    // A declaration file names the JavaScript file its sibling declaration describes.
    const target = entry.endsWith('.d.ts')
      ? specifier!.replace(/\.js$/, '.d.ts')
      : entry.endsWith('.d.cts')
        ? specifier!.replace(/\.c?js$/, '.d.cts')
        : specifier!;
    filesLoadedBy(resolve(dirname(entry), target), seen);
  }
  return seen;
}

/** A file's code without its comments (TSDoc examples mention aws-amplify). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

beforeAll(() => {
  if (!existsSync(join(dist, 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});

describe('the built package', () => {
  it.each(['axios-amplify-auth', 'axios-amplify-auth/core'])('requires %s as CommonJS', (name) => {
    const loaded = require(name) as Record<string, unknown>;
    for (const exported of publicNames) expect(typeof loaded[exported], exported).toBe('function');
  });

  it.each(['axios-amplify-auth', 'axios-amplify-auth/core'])('imports %s as ESM', async (name) => {
    const loaded = (await import(name)) as Record<string, unknown>;
    for (const exported of publicNames) expect(typeof loaded[exported], exported).toBe('function');
  });

  it('loads axios-amplify-auth/iam as CommonJS and as ESM, with the signer from its dependencies', async () => {
    const names = ['installAmplifyIam', 'isAmplifyAuthError', 'isSessionEndedError', 'AmplifyAuthError', 'SessionEndedError'];
    const cjs = require('axios-amplify-auth/iam') as Record<string, unknown>;
    const esm = (await import('axios-amplify-auth/iam')) as Record<string, unknown>;
    for (const loaded of [cjs, esm]) expect(names.map((name) => typeof loaded[name])).toEqual(names.map(() => 'function'));
  });

  it('tells errors from the ESM and CommonJS copies apart by name, not instance', async () => {
    const esm = (await import('axios-amplify-auth/core')) as typeof import('../src/core.js');
    const cjs = require('axios-amplify-auth/core') as typeof import('../src/core.js');
    const error = new cjs.SessionEndedError('revoked');
    expect(error instanceof esm.SessionEndedError).toBe(false);
    expect(esm.isAmplifyAuthError(error)).toBe(true);
  });

  const amplifyImport = /(?:from\s*|import\s*|require\()\s*['"]@?aws-amplify/;
  const importsAmplify = (file: string) => [...filesLoadedBy(join(dist, file))].some((loaded) => amplifyImport.test(code(loaded)));

  it.each(['core.js', 'core.cjs', 'core.d.ts', 'core.d.cts'])('loads nothing of aws-amplify from dist/%s', (file) => {
    expect(importsAmplify(file)).toBe(false);
  });

  it.each(['iam.js', 'iam.cjs'])(
    'loads aws-amplify from dist/%s only when the default credentials are used (import() on first use)',
    (file) => {
      const loaded = [...filesLoadedBy(join(dist, file))].map(code);
      expect(loaded.some((text) => /(?:from\s*|require\()\s*['"]@?aws-amplify/.test(text))).toBe(false);
      expect(loaded.some((text) => /import\(\s*['"]aws-amplify\/auth['"]\)/.test(text))).toBe(true);
    },
  );

  it.each(['index.js', 'index.cjs'])('loads Amplify v6 from the main entry, dist/%s', (file) => {
    expect(importsAmplify(file)).toBe(true);
  });

  it('type-checks a user’s ESM and CommonJS files against the published declarations', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const project = join(root, 'test', 'fixtures', 'consumer', 'tsconfig.json');
    const run = promisify(execFile)(process.execPath, [tsc, '-p', project]);
    await expect(run).resolves.toBeDefined();
  });
});
