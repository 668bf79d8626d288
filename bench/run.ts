// `npm run bench`: every figure below is measured in this one process run, side by side.
import { cpus, totalmem } from 'node:os';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { ConsoleLogger, Hub } from 'aws-amplify/utils';
import axios, { type AxiosAdapter, type AxiosResponse } from 'axios';
import { installAmplifyAuth } from 'axios-amplify-auth';
import { fromServerContext } from 'axios-amplify-auth/server';
import { startLocalWorld, type LocalWorld } from '../test/harness/world.js';
import { delay } from '../test/support/time.js';
import { createBenchApi } from './api.js';
import { configurations, create, type Implementation, implementations } from './implementations.js';
import { median, microsPerRequest, range } from './measure.js';
import { signingOverhead } from './iam.js';
import { bundledSize, coreBudgetBytes, mainBudgetBytes, sizeCases } from './size.js';

ConsoleLogger.LOG_LEVEL = 'ERROR';
const rows: string[][] = [];
const row = (...cells: Array<string | number>) => rows.push(cells.map(String));
const progress = (text: string) => process.stderr.write(`${text}\n`);
const idToken = async () => (await fetchAuthSession()).tokens?.idToken?.toString() ?? '';
const withRefreshes = [...implementations.slice(1)] as Implementation[];

async function useWorld(world: LocalWorld) {
  await signOut().catch(() => {});
  Amplify.configure(world.amplifyConfig);
  await signIn({ username: world.cognito.username, password: world.cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
}

const rounds = 7;
const perRound = 1000;

async function overhead() {
  progress('1. per-request overhead…');
  const api = createBenchApi();
  const made = await Promise.all(implementations.map((name) => create(name, api.adapter)));
  for (const { api: instance } of made) await microsPerRequest(instance, 500, 1); // warm-up
  for (const [mode, width] of [
    ['sequential', 1],
    ['100 concurrent', 100],
  ] as const) {
    const samples = implementations.map(() => [] as number[]);
    // Round-robin, so that drift of the machine touches every implementation alike.
    for (let round = 0; round < rounds; round++) {
      for (const [index, { api: instance }] of made.entries()) samples[index]!.push(await microsPerRequest(instance, perRound, width));
    }
    const bare = median(samples[0]!);
    implementations.forEach((name, index) => {
      const micros = median(samples[index]!);
      // Each round's ratio to bare axios in that same round: the spread the machine's drift leaves.
      const ratios = samples[index]!.map((value, round) => value / samples[0]![round]!);
      const target = name === 'axios-amplify-auth' ? `≤ 1.10× ${micros / bare <= 1.1 ? '✓' : '✗'}` : '';
      row(
        `1. overhead, valid token (${mode})`,
        name,
        `${micros.toFixed(1)} µs/request (rounds ${range(samples[index]!, 1)}), ${(micros / bare).toFixed(2)}× bare (rounds ${range(ratios, 2)})`,
        `${rounds} rounds × ${perRound} requests, median (range)`,
        target,
      );
    });
  }
  made.forEach(({ dispose }) => dispose());
}

/** 7. The `skip` event must cost nothing while nobody listens, and little when somebody does. */
async function skipListener() {
  progress('7. skip listener…');
  const api = createBenchApi();
  const without = await create('axios-amplify-auth', api.adapter);
  const withListener = await create('axios-amplify-auth', api.adapter);
  // A listener on the handle of the second instance (its requests carry tokens: no skip fires,
  // but every request checks for listeners).
  withListener.auth?.on('skip', () => {});
  const made = [without, withListener];
  for (const { api: instance } of made) await microsPerRequest(instance, 500, 1);
  const samples = made.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, { api: instance }] of made.entries()) samples[index]!.push(await microsPerRequest(instance, perRound, 1));
  }
  const [a, b] = samples.map((values) => median(values)) as [number, number];
  const ratios = samples[1]!.map((value, round) => value / samples[0]![round]!);
  row(
    '7. skip listener',
    'axios-amplify-auth, no skip listener',
    `${a.toFixed(1)} µs/request (rounds ${range(samples[0]!, 1)})`,
    `${rounds} rounds × ${perRound} sequential requests, median (range)`,
    '',
  );
  row(
    '7. skip listener',
    'axios-amplify-auth, a skip listener',
    `${b.toFixed(1)} µs/request (rounds ${range(samples[1]!, 1)}), ${(b / a).toFixed(2)}× without (rounds ${range(ratios, 2)})`,
    `${rounds} rounds × ${perRound} sequential requests, median (range)`,
    `within noise (≤ 1.10×) ${b / a <= 1.1 ? '✓' : '✗'}`,
  );
  made.forEach(({ dispose }) => dispose());
}

/** 8. One server request: a source, an instance, an install, the first request, the uninstall. */
async function serverRequests() {
  progress('8. per server request…');
  const api = createBenchApi();
  const token = await idToken();
  // Amplify's server-side fetchAuthSession reads the request's cookies; here, a cookie read.
  const fetchAuthSession = async (_context: object) => ({ tokens: { idToken: token, accessToken: token } });
  const count = 2000;
  const time = async (serve: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      for (let i = 0; i < count; i++) await serve();
      samples.push(((performance.now() - started) * 1000) / count);
    }
    return { median: median(samples), range: range(samples, 1) };
  };
  const bare = await time(async () =>
    axios.create({ baseURL: 'https://api.example.com', adapter: api.adapter, headers: { Authorization: `Bearer ${token}` } }).get('/s'),
  );
  const plugin = await time(async () => {
    const instance = axios.create({ baseURL: 'https://api.example.com', adapter: api.adapter });
    const auth = installAmplifyAuth(instance, { source: fromServerContext(fetchAuthSession, {}) });
    try {
      return await instance.get('/s');
    } finally {
      auth.uninstall();
    }
  });
  const config = `${rounds} rounds × ${count}, median (range)`;
  row('8. per server request', 'bare axios.create + request', `${bare.median.toFixed(1)} µs (rounds ${bare.range})`, config, '');
  row(
    '8. per server request',
    'axios-amplify-auth/server',
    `${plugin.median.toFixed(1)} µs (rounds ${plugin.range}; +${(plugin.median - bare.median).toFixed(1)} µs)`,
    `${config}: fromServerContext + install + first request + uninstall`,
    '',
  );
}

const stormJitterMs = 200;

async function storm(world: LocalWorld, name: Implementation, n: number, instanceCount: number) {
  const api = createBenchApi({ jitterMs: stormJitterMs });
  const made = await Promise.all(Array.from({ length: instanceCount }, () => create(name, api.adapter)));
  await Promise.all(made.map(({ api: instance }) => instance.get('/warm-up')));
  api.reset();
  api.reject(await idToken());
  const refreshesBefore = world.cognito.refreshCalls;
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => made[i % instanceCount]!.api.get(`/s/${i}`)));
  const wall = performance.now() - started;
  made.forEach(({ dispose }) => dispose());
  const attempts = [...api.attempts.values()];
  return {
    refreshes: world.cognito.refreshCalls - refreshesBefore,
    attempts: attempts.reduce((a, b) => a + b, 0),
    maxAttempts: Math.max(...attempts),
    succeeded: results.filter((r) => r.status === 'fulfilled').length,
    settled: results.length,
    wall,
  };
}

/** How many times each storm runs: the peers' refresh counts vary from run to run. */
const stormRuns = 5;

async function repeatedStorm(world: LocalWorld, name: Implementation, n: number, instanceCount: number) {
  const runs: Array<Awaited<ReturnType<typeof storm>>> = [];
  for (let run = 0; run < stormRuns; run++) runs.push(await storm(world, name, n, instanceCount));
  const of = (pick: (s: (typeof runs)[number]) => number) => range(runs.map(pick));
  return {
    runs,
    text: `${of((s) => s.refreshes)} refresh(es), ${of((s) => s.attempts)} attempts (max ${of((s) => s.maxAttempts)}/request), ${of((s) => s.succeeded)}/${n} succeeded, ${of((s) => s.wall)} ms`,
  };
}

async function storms(world: LocalWorld) {
  for (const n of [1, 10, 100, 1000]) {
    for (const name of withRefreshes) {
      progress(`2. 401 storm, N = ${n}, ${name}…`);
      const { runs, text } = await repeatedStorm(world, name, n, 1);
      const good = runs.every((s) => s.refreshes === 1 && s.maxAttempts <= 2 && s.settled === n);
      row(
        `2. 401 storm, N = ${n}`,
        name,
        text,
        `${n} concurrent, token rejected once, answers spread over ${stormJitterMs} ms; ${stormRuns} runs (range)`,
        name === 'axios-amplify-auth' ? `1 refresh, ≤ 2 attempts, all settled, every run ${good ? '✓' : '✗'}` : '',
      );
    }
  }
  for (const name of withRefreshes) {
    progress(`3. 401 storm across 3 instances, ${name}…`);
    const { runs, text } = await repeatedStorm(world, name, 300, 3);
    const good = runs.every((s) => s.refreshes === 1);
    row(
      '3. 401 storm, 3 instances',
      name,
      text,
      `300 concurrent over 3 instances, answers spread over ${stormJitterMs} ms; ${stormRuns} runs (range)`,
      name === 'axios-amplify-auth' ? `1 refresh, every run ${good ? '✓' : '✗'}` : '',
    );
  }
}

async function expiryWave(world: LocalWorld, tokenSeconds: number) {
  for (const name of withRefreshes) {
    progress(`4. expiry wave, ${name}…`);
    await useWorld(world);
    const signedInAt = Date.now();
    // An API that rejects what has expired, as a real one does.
    let unauthorized = 0;
    const adapter: AxiosAdapter = async (config) => {
      const token = String(config.headers.Authorization ?? '').slice(7);
      const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as { exp?: number }).exp ?? 0;
      const response: AxiosResponse = { data: {}, status: exp * 1000 > Date.now() ? 200 : 401, statusText: '', headers: {}, config };
      if (response.status === 401) {
        unauthorized += 1;
        throw new axios.AxiosError('Unauthorized', 'ERR_BAD_REQUEST', config, {}, response);
      }
      return response;
    };
    const { api, dispose } = await create(name, adapter);
    await api.get('/warm-up');
    // The plugin's leeway is half the lifetime here (capped), Amplify's own is 5 s.
    await delay(signedInAt + (tokenSeconds / 2) * 1000 + 200 - Date.now());
    const before = world.cognito.refreshCalls;
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => api.get(`/w/${i}`)));
    dispose();
    const refreshes = world.cognito.refreshCalls - before;
    const ok = name === 'axios-amplify-auth' ? `1 refresh, 0 401s ${refreshes === 1 && unauthorized === 0 ? '✓' : '✗'}` : '';
    row(
      '4. expiry wave',
      name,
      `${refreshes} refresh(es), ${unauthorized} request(s) met a 401, ${results.filter((r) => r.status === 'fulfilled').length}/100 succeeded`,
      `100 concurrent, ${tokenSeconds} s tokens, sent ${tokenSeconds / 2 - 0.2} s before expiry`,
      ok,
    );
  }
}

async function sizes() {
  progress('5. size…');
  const root = new URL('..', import.meta.url).pathname;
  for (const [name, code] of Object.entries(sizeCases)) {
    const { minified, gzipped } = await bundledSize(code, root);
    const budget = name === 'core' ? coreBudgetBytes : name === 'main' ? mainBudgetBytes : undefined;
    const target = budget === undefined ? '' : `≤ ${budget} B ${gzipped <= budget ? '✓' : '✗'}`;
    row(
      '5. size',
      name === 'core' ? 'axios-amplify-auth/core' : name === 'main' ? 'axios-amplify-auth (main, v6 source)' : 'axios-auth-refresh 5',
      `${gzipped} B min+gz (${minified} B minified)`,
      code.replace(/^export/, 'import').replace(/ from .*/, ''),
      target,
    );
  }
}

function hubListeners(): number {
  const listeners = (Hub as unknown as { listeners: Map<string, unknown[]> }).listeners;
  return listeners.get('auth')?.length ?? 0;
}

async function memory() {
  progress('6. memory…');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  const ok: AxiosAdapter = async (config) => ({ data: {}, status: 200, statusText: '', headers: {}, config });
  const api = axios.create({ baseURL: 'https://api.example.com', adapter: ok });
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const listenersBefore = hubListeners();
  const before = heap();
  const cycles = async (count: number) => {
    for (let i = 0; i < count; i++) installAmplifyAuth(api).uninstall();
    return heap() - before;
  };
  const afterThousand = await cycles(1_000);
  const afterTenThousand = await cycles(9_000);
  const auth = installAmplifyAuth(api);
  const requests = async (count: number) => {
    for (let sent = 0; sent < count; sent += 100) await Promise.all(Array.from({ length: 100 }, () => api.get('/m')));
    return heap() - before;
  };
  const afterTenThousandRequests = await requests(10_000);
  const afterHundredThousandRequests = await requests(90_000);
  auth.uninstall();
  const kb = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(0)} KB`;
  const flat = afterTenThousand < afterThousand + 512 * 1024 && afterHundredThousandRequests < afterTenThousandRequests + 512 * 1024;
  row(
    '6. memory',
    'axios-amplify-auth',
    `heap after GC vs start: ${kb(afterThousand)} after 1,000 install/uninstall, ${kb(afterTenThousand)} after 10,000; ${kb(afterTenThousandRequests)} after 10,000 requests, ${kb(afterHundredThousandRequests)} after 100,000; Hub listeners ${listenersBefore} → ${hubListeners()}`,
    'one instance, in-process adapter, default source',
    `no growth with the count ${flat && hubListeners() === listenersBefore ? '✓' : '✗'}`,
  );
}

const world = await startLocalWorld();
const waveSeconds = 10;
const shortWorld = await startLocalWorld({ tokenSeconds: waveSeconds });
try {
  await useWorld(world);
  await overhead();
  await skipListener();
  await serverRequests();
  await storms(world);
  await sizes();
  await memory();
  await expiryWave(shortWorld, waveSeconds);
  progress('9. IAM signing…');
  rows.push(...(await signingOverhead()));
  process.stdout.write(
    `\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; aws-amplify ${(await import('aws-amplify/package.json', { with: { type: 'json' } })).default.version}, axios ${axios.VERSION}; local Cognito: cognito-local on 127.0.0.1.\n\n`,
  );
  process.stdout.write('| case | implementation | result | configuration | target |\n| --- | --- | --- | --- | --- |\n');
  const byCase = (cells: string[]) => Number.parseInt(cells[0]!, 10);
  for (const cells of rows.sort((a, b) => byCase(a) - byCase(b))) process.stdout.write(`| ${cells.join(' | ')} |\n`);
  process.stdout.write('\nImplementations:\n');
  for (const name of implementations) process.stdout.write(`- ${name}: ${configurations[name]}\n`);
} finally {
  await signOut().catch(() => {});
  await Promise.all([world.stop(), shortWorld.stop()]);
}
