/**
 * Every TypeScript block of the README and of docs/ as a user pastes it: compiled strict (as a
 * module of its own, against the built package, with only the app's objects of app-globals.ts
 * around it) and, unless its info string says `typecheck-only`, run — with an in-memory adapter
 * as axios's default and Amplify configured without a user signed in, so nothing leaves the
 * process. A block that does not compile, or throws as pasted, fails here.
 *
 * Info-string words after `ts`: `typecheck-only` (needs AWS, a framework or a device to run),
 * `amplify-v5` (types of aws-amplify 5 for `aws-amplify`).
 *
 * The `@example` of every export of every entry (dist/*.d.ts, what an editor shows) is compiled
 * the same way, with the entry's own exports imported where the example uses them.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import axios, { type AxiosAdapter } from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { Amplify } from 'aws-amplify';
import { installAmplifyAuth } from 'axios-amplify-auth';
import { createTestSource } from 'axios-amplify-auth/testing';
import ts from 'typescript';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { within } from '../support/within.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = join(root, 'test', 'docs');
const out = join(here, '.blocks');

interface Block {
  name: string;
  /** Where it starts, as `README.md:123`. */
  where: string;
  code: string;
  flags: Set<string>;
}

function blocksOf(file: string): Block[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: Block[] = [];
  for (const match of text.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split('\n').length;
    const name = `${file.replace(/[/.]/g, '-')}-${line}`;
    found.push({ name, where: `${file}:${line}`, code: match[2]!, flags: new Set(match[1]!.trim().split(/\s+/).filter(Boolean)) });
  }
  return found;
}

const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** The `@example` of each export of each entry, with the entry's exports it uses imported. */
function examplesOf(entry: string): Block[] {
  const specifier = `axios-amplify-auth${entry === 'index' ? '' : `/${entry}`}`;
  const file = join(root, 'dist', `${entry}.d.ts`);
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!);
  const exported = module ? checker.getExportsOfModule(module) : [];
  const names = exported.map((symbol) => symbol.name);
  const mentions = (text: string, name: string) => new RegExp(`\\b${name}\\b`).test(text);
  return exported.flatMap((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return target
      .getJsDocTags(checker)
      .filter((tag) => tag.name === 'example')
      .map((tag, i) => {
        const code = ts.displayPartsToString(tag.text);
        const imports = [...code.matchAll(/^import[^;]*;/gm)].map((m) => m[0]).join('\n');
        const used = names.filter((name) => mentions(code, name) && !mentions(imports, name));
        const prelude = used.length ? `import { ${used.join(', ')} } from '${specifier}';\n` : '';
        const flags = new Set(['typecheck-only', ...(/from 'aws-amplify'/.test(code) ? ['amplify-v5'] : [])]);
        return {
          name: `api-${entry}-${symbol.name}-${i}`,
          where: `${specifier}: ${symbol.name} @example`,
          code: `${prelude}${code}\n`,
          flags,
        };
      });
  });
}

const blocks = [...pages.flatMap(blocksOf), ...['index', 'core', 'server', 'testing'].flatMap(examplesOf)];

const compilerOptions: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  noEmit: true,
  skipLibCheck: true,
};

/** Diagnostics per block file, from one program per set of compiler options; `elsewhere`: in app-globals.ts or beyond. */
const diagnostics = new Map<string, string[]>();
const elsewhere: string[] = [];

function compile(group: Block[], options: ts.CompilerOptions): void {
  if (group.length === 0) return;
  const files = group.map((block) => join(out, `${block.name}.mts`));
  const program = ts.createProgram([...files, join(here, 'app-globals.ts'), join(here, 'device-modules.d.ts')], options);
  for (const file of files) diagnostics.set(file, []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? '';
    const at =
      diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    const text = `${at ? `line ${at.line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    (diagnostics.get(file) ?? elsewhere).push(`${relative(root, file)}: ${text}`);
  }
}

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const block of blocks) {
    writeFileSync(join(out, `${block.name}.mts`), block.code);
    const js = ts.transpileModule(block.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(out, `${block.name}.mjs`), js.outputText);
  }
  const v5 = (block: Block) => block.flags.has('amplify-v5');
  compile(
    blocks.filter((block) => !v5(block)),
    compilerOptions,
  );
  compile(blocks.filter(v5), {
    ...compilerOptions,
    paths: { 'aws-amplify': [join(root, 'node_modules', 'aws-amplify-v5', 'lib-esm', 'index.d.ts')] },
  });
  // As the Quick start says: installed after Amplify.configure(...). Nobody is signed in, and
  // nothing reaches Cognito.
  Amplify.configure({ Auth: { Cognito: { userPoolId: 'eu-west-1_docs', userPoolClientId: 'docs-client' } } });
}, 60_000);

const defaultAdapter = axios.defaults.adapter;
afterEach(() => {
  Object.assign(axios.defaults, { adapter: defaultAdapter });
});

/** The app around a block: what app-globals.ts declares, made real. */
function provideApp(): void {
  const answer: AxiosAdapter = async (config) => ({ data: {}, status: 200, statusText: 'OK', headers: {}, config });
  axios.defaults.adapter = answer;
  const api = axios.create({ baseURL: 'https://api.example.com' });
  // Unmatched requests reach `answer`; a block that scripts `mock` gets what it scripted.
  const mock = new AxiosMockAdapter(api, { onNoMatch: 'passthrough' });
  const listeners = new Set<() => void>();
  Object.assign(globalThis, {
    axios,
    installAmplifyAuth,
    api,
    mock,
    auth: installAmplifyAuth(axios.create(), { source: createTestSource() }),
    router: { push: vi.fn() },
    expect,
    showOfflineBanner: vi.fn(),
    onLogout: vi.fn(),
    mySessionStore: {
      get: async () => ({ idToken: 'id', accessToken: 'access' }),
      onChange: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
    },
  });
}

describe('README and docs: every TypeScript block', () => {
  it('finds the blocks, and the app around them compiles', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    expect(elsewhere).toEqual([]);
  });

  for (const block of blocks) {
    describe(block.where, () => {
      it('compiles strict against the built package', () => {
        const file = join(out, `${block.name}.mts`);
        expect(diagnostics.get(file), `${block.where} (${relative(root, file)})`).toEqual([]);
      });
      if (block.flags.has('typecheck-only')) return;
      it('runs as pasted', async () => {
        provideApp();
        await within(import(pathToFileURL(join(out, `${block.name}.mjs`)).href), block.where, 5000);
      });
    });
  }
});
