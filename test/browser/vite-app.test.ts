// examples/vite, built by Vite for production against the package as `npm pack` publishes it, and
// run in Chromium against the local world: what a user's bundler and browser do with the package.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type Page } from 'playwright-core';
import { build, type Manifest } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorld, startLocalWorld } from '../harness/world.js';
import { launchChromium } from '../support/chromium.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** What examples/vite exposes on `window.example`. */
type CallResult = { status: number; data: { user?: string } } | { error: string };
type Example = {
  signIn(): Promise<void>;
  call(path?: string): Promise<CallResult>;
  idToken(): Promise<string | undefined>;
  events: string[];
};

let work: string;
let world: LocalWorld;
let browser: Browser;
let server: Server | undefined;
let origin: string;
let outDir: string;
/** The modules of each JavaScript file the build wrote, by its path in outDir. */
let chunks: Map<string, string[]>;

/**
 * `npm pack`s the project and installs the tarball into `work/node_modules`, the peers linked
 * from the project's node_modules; copies examples/vite next to it, as a user's app.
 */
async function installPacked(): Promise<string> {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    await run(process.execPath, [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', '--silent'], {
      cwd: root,
      timeout: 60_000,
    });
  }
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, timeout: 60_000 });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const installed = join(work, 'node_modules', 'axios-amplify-auth');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', join(work, filename), '-C', installed, '--strip-components=1'], { timeout: 30_000 });
  // What npm would install next to it: its dependencies and peers (the app imports only those).
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    await mkdir(dirname(join(work, 'node_modules', name)), { recursive: true });
    await symlink(join(root, 'node_modules', name), join(work, 'node_modules', name), 'dir');
  }
  const app = join(work, 'app');
  await cp(join(root, 'examples', 'vite'), app, { recursive: true });
  return app;
}

/** A production build of the app's two pages (minified, as `vite build` makes it). */
async function buildApp(app: string): Promise<Map<string, string[]>> {
  const nodeEnv = process.env.NODE_ENV; // vitest sets 'test'; Vite reads it to tell a production build
  process.env.NODE_ENV = 'production';
  try {
    const result = await build({
      configFile: false,
      root: app,
      mode: 'production',
      logLevel: 'warn',
      cacheDir: join(work, 'vite-cache'),
      envDir: false,
      build: {
        outDir,
        emptyOutDir: true,
        minify: true,
        manifest: true,
        reportCompressedSize: false,
        rolldownOptions: { input: { main: join(app, 'index.html'), core: join(app, 'core.html') } },
      },
    });
    const outputs = Array.isArray(result) ? result : [result];
    const files = outputs.flatMap((output) => ('output' in output ? output.output : []));
    return new Map(files.flatMap((file) => (file.type === 'chunk' ? [[file.fileName, file.moduleIds] as const] : [])));
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };

/** Serves the built app and its config on 127.0.0.1. */
async function serve(config: string): Promise<Server> {
  const created = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/config.json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(config);
    const file = resolve(outDir, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(outDir + sep) || file.includes(`${sep}.`)) return void response.writeHead(404).end();
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => created.listen(0, '127.0.0.1', done));
  return created;
}

let launching: Promise<Browser> | undefined;
let starting: Promise<LocalWorld> | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vite-app-'));
  outDir = join(work, 'out');
  // Started while the app is packed and built; afterAll stops them whatever fails in between.
  launching = launchChromium({ timeout: 30_000 });
  starting = startLocalWorld();
  // Their failures are reported by the Promise.all below, not as unhandled rejections meanwhile.
  launching.catch(() => undefined);
  starting.catch(() => undefined);
  chunks = await buildApp(await installPacked());
  [browser, world] = await Promise.all([launching, starting]);
  const { cognito, api, amplifyConfig } = world;
  server = await serve(JSON.stringify({ amplify: amplifyConfig, apiUrl: api.url, username: cognito.username, password: cognito.password }));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  const [launched, started] = await Promise.allSettled([launching, starting]);
  await Promise.allSettled([
    launched?.status === 'fulfilled' && launched.value?.close(),
    started?.status === 'fulfilled' && started.value?.stop(),
    server && new Promise((done) => server!.close(done)),
  ]);
  if (work) await rm(work, { recursive: true, force: true });
}, 30_000);

const pageErrors = new WeakMap<Page, Error[]>();

async function open(page: string): Promise<Page> {
  const tab = await browser.newPage();
  const errors: Error[] = [];
  pageErrors.set(tab, errors);
  tab.on('pageerror', (error) => errors.push(error));
  await tab.goto(`${origin}/${page}`, { timeout: 15_000 });
  await tab.waitForSelector('body[data-ready="true"]', { timeout: 15_000 }).catch((error: unknown) => {
    throw errors[0] ?? error;
  });
  return tab;
}

const signIn = (tab: Page) => tab.evaluate(() => (window as unknown as { example: Example }).example.signIn());
const call = (tab: Page, path: string) => tab.evaluate((p) => (window as unknown as { example: Example }).example.call(p), path);
const idToken = (tab: Page) => tab.evaluate(() => (window as unknown as { example: Example }).example.idToken());
const events = (tab: Page) => tab.evaluate(() => (window as unknown as { example: Example }).example.events);

/**
 * Sign in, call, have the API reject the tokens, call again: one refresh, one retry. Then revoke
 * the refresh token: the call rejects with SessionEndedError and `logout` fires once.
 */
async function signInCallRefresh(page: string, logoutReason: string): Promise<void> {
  const tab = await open(page);
  try {
    await signIn(tab);
    const token = await idToken(tab);
    expect(token).toMatch(/^ey/);
    const first = `/${page}/hello`;
    expect(await call(tab, first)).toEqual({ status: 200, data: expect.objectContaining({ user: world.cognito.username }) });
    expect(world.api.requests.filter((r) => r.path === first)).toEqual([{ path: first, token, status: 200 }]);

    await world.rejectCurrentTokens();
    const before = world.cognito.refreshCalls;
    const second = `/${page}/after-reject`;
    expect(await call(tab, second)).toMatchObject({ status: 200 });
    expect(world.cognito.refreshCalls - before).toBe(1);
    const seen = world.api.requests.filter((r) => r.path === second);
    const refreshed = await idToken(tab);
    expect(refreshed).not.toBe(token);
    expect(seen).toEqual([
      { path: second, token, status: 401 },
      { path: second, token: refreshed, status: 200 },
    ]);
    expect(await events(tab)).toEqual(['refresh:unauthorized']);

    await world.cognito.revokeRefreshToken();
    await world.rejectCurrentTokens();
    expect(await call(tab, `/${page}/after-revoke`)).toEqual({ error: 'SessionEndedError (SESSION_ENDED)' });
    expect(await events(tab)).toEqual(['refresh:unauthorized', `logout:${logoutReason}`]);
    expect(pageErrors.get(tab)).toEqual([]);
  } finally {
    await tab.close();
  }
}

describe('examples/vite, built by Vite against the packed package, in Chromium', () => {
  it('bundles the published dist/ (through the exports map), not src/', () => {
    const packed = join(work, 'node_modules', 'axios-amplify-auth', 'dist') + sep;
    const moduleIds = [...chunks.values()].flat();
    expect(moduleIds.some((id) => id.startsWith(packed))).toBe(true);
    expect(moduleIds.filter((id) => id.startsWith(join(root, 'src')))).toEqual([]);
  });

  it('signs in with Amplify v6, calls the API with the ID token, answers a 401 with one refresh and one retry, and logs out on a revoked refresh token', async () => {
    await signInCallRefresh('index.html', 'revoked');
  }, 30_000);

  it('does the same from axios-amplify-auth/core with a hand-written token source', async () => {
    await signInCallRefresh('core.html', 'revoked');
  }, 30_000);

  it('ships no aws-amplify code in the /core page, and Amplify in the main one', async () => {
    const manifest = JSON.parse(await readFile(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
    /** What a page loads: its entry chunk and every chunk that one imports, and their modules. */
    const page = async (entry: string) => {
      const files = new Set<string>();
      const visit = (key: string) => {
        const chunk = manifest[key]!;
        if (files.has(chunk.file)) return;
        files.add(chunk.file);
        for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(next);
      };
      visit(entry);
      const code = await Promise.all([...files].map((file) => readFile(join(outDir, file), 'utf8')));
      return { code: code.join('\n'), modules: [...files].flatMap((file) => chunks.get(file)!) };
    };
    const [main, core] = await Promise.all([page('index.html'), page('core.html')]);
    const amplifyModule = /[\\/]node_modules[\\/](@aws-amplify|aws-amplify)[\\/]/;
    expect(core.modules.filter((id) => amplifyModule.test(id))).toEqual([]);
    expect(main.modules.filter((id) => amplifyModule.test(id)).length).toBeGreaterThan(10);
    // And in the bytes: names that only Amplify's code has (its sign-in flow, its error names),
    // none of which the plugin mentions (it does mention fetchAuthSession and Amplify's storage keys).
    for (const marker of ['USER_SRP_AUTH', 'UserUnAuthenticatedException', 'AuthUserPoolException']) {
      expect(main.code.includes(marker), `${marker} in the main page`).toBe(true);
      expect(core.code.includes(marker), `${marker} in the /core page`).toBe(false);
    }
    // The plugin and axios are in both.
    for (const marker of ['SessionEndedError', 'AxiosError']) {
      expect(main.code.includes(marker), `${marker} in the main page`).toBe(true);
      expect(core.code.includes(marker), `${marker} in the /core page`).toBe(true);
    }
    // /core is the plugin and axios (about 75 kB minified); Amplify's auth adds more than 100 kB.
    expect(core.code.length).toBeLessThan(100_000);
    expect(main.code.length - core.code.length).toBeGreaterThan(100_000);
  });
});
