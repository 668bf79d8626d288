import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installAmplifyAuth, type AmplifyAuthOptions } from '../src/core.js';
import { fetchIsStandard, fetchIsUndici } from './support/axios-version.js';
import { FakeSession } from './support/fake-source.js';
import { closeServers } from './support/servers.js';

/**
 * Redirects as they really arrive: two servers on 127.0.0.1 (two origins) that record every
 * request and answer from a script keyed by path. Run on every axios version the CI matrix runs
 * (vitest.axios.config.ts): before 1.21 the http adapter keeps `Authorization` on a subdomain,
 * before 1.20 the fetch adapter ignores `maxRedirects`.
 */
interface Seen {
  origin: 'a' | 'b';
  host: string | undefined;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = { status: number; location?: string; delayMs?: number; body?: string };

const seen: Seen[] = [];
const script = new Map<string, Answer | ((entry: Seen) => Answer)>();
const servers: Server[] = [];
let a = '';
let b = '';
let session: FakeSession;

function recorder(origin: 'a' | 'b'): Server {
  return createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = request.url ?? '';
      const entry: Seen = { origin, host: request.headers.host, method: request.method ?? '', path, headers: request.headers, body };
      seen.push(entry);
      const scripted = script.get(`${origin}${path.split('?')[0]}`) ?? { status: 200 };
      const answer = typeof scripted === 'function' ? scripted(entry) : scripted;
      const reply = (): void => {
        const location = answer.location?.replace('{a}', a).replace('{b}', b);
        response.writeHead(answer.status, { 'content-type': 'application/json', ...(location && { location }) });
        response.end(answer.body ?? JSON.stringify({ path }));
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  a = await listen(recorder('a'));
  b = await listen(recorder('b'));
});
afterAll(async () => {
  await closeServers(...servers);
});
beforeEach(() => {
  seen.length = 0;
  script.clear();
  session = new FakeSession();
  session.signIn();
});

const token = (): string => session.tokens?.idToken ?? '';
const carries = (entry: Seen): boolean => Object.values(entry.headers).some((value) => String(value).includes(token()));

function client(options: Omit<AmplifyAuthOptions, 'source'> = {}, config: AxiosRequestConfig = {}): AxiosInstance {
  const api = axios.create({ baseURL: a, ...config });
  installAmplifyAuth(api, { ...options, source: session.source });
  return api;
}

// A host name for each origin of a test that needs host names on loopback: resolved to 127.0.0.1.
const lookup = (_host: string, _options: object, callback: (error: null, address: string, family: number) => void): void =>
  callback(null, '127.0.0.1', 4);

describe('http adapter: the token never follows a redirect to a subdomain', () => {
  for (const allow of [undefined, 'origin entry'] as const) {
    it(`with ${allow ?? 'the default allow'}`, async () => {
      const port = new URL(a).port;
      const api = axios.create({ baseURL: `http://api.example.test:${port}`, adapter: 'http' });
      const options = allow ? { allow: [`http://api.example.test:${port}`] } : {};
      installAmplifyAuth(api, { ...options, source: session.source });
      script.set('a/away', { status: 302, location: `http://evil.api.example.test:${port}/landing` });
      await api.get('/away', { lookup } as AxiosRequestConfig);
      expect(seen.map((entry) => [entry.host?.split(':')[0], carries(entry)])).toEqual([
        ['api.example.test', true],
        ['evil.api.example.test', false],
      ]);
    });
  }
});

describe('fetch adapter, maxRedirects: 0: the redirect is not followed, by fetch or anyone', () => {
  for (const [name, options] of [
    ['a custom header', { header: 'X-Api-Token' }],
    ['a path-prefix allow', { allow: [] as string[] }],
  ] as const) {
    it(`with ${name}`, async () => {
      const api = client(name === 'a path-prefix allow' ? { allow: [`${a}/v1/`] } : options, { adapter: 'fetch' });
      script.set('a/v1/away', { status: 302, location: '{b}/landing' });
      const error: unknown = await api.get('/v1/away', { maxRedirects: 0 }).catch((e: unknown) => e);
      expect(axios.isAxiosError(error) && error.response?.status).toBe(302);
      expect(seen.map((entry) => entry.origin)).toEqual(['a']);
    });
  }
});

describe('the plugin following redirects itself (fetch adapter, custom header)', () => {
  it("drops the app's own credentials across origins, as fetch does", async () => {
    const api = client({ header: 'X-Api-Token' }, { adapter: 'fetch' });
    script.set('a/away', { status: 302, location: '{b}/landing' });
    await api.get('/away', { headers: { Authorization: 'Basic YTpi', Cookie: 'sid=1', 'Proxy-Authorization': 'Basic eDp5' } });
    const [first, second] = seen;
    expect([first?.headers.authorization, first?.headers.cookie, first?.headers['proxy-authorization']]).toEqual([
      'Basic YTpi',
      'sid=1',
      'Basic eDp5',
    ]);
    expect(second?.origin).toBe('b');
    expect([second?.headers.authorization, second?.headers.cookie, second?.headers['proxy-authorization'], carries(second!)]).toEqual([
      undefined,
      undefined,
      undefined,
      false,
    ]);
  });

  it('never puts the token back once the chain left the origin (A → B → A)', async () => {
    const api = client({ allow: [`${a}/v1/`] }, { adapter: 'fetch' });
    script.set('a/v1/form', { status: 307, location: '{b}/bounce' });
    script.set('b/bounce', { status: 307, location: '{a}/v1/admin/delete' });
    await api.post('/v1/form', { x: 1 });
    expect(seen.map((entry) => [entry.origin, entry.method, entry.path, carries(entry)])).toEqual([
      ['a', 'POST', '/v1/form', true],
      ['b', 'POST', '/bounce', false],
      ['a', 'POST', '/v1/admin/delete', false],
    ]);
  });

  it('counts the timeout over the whole chain, as plain axios does', async () => {
    for (let hop = 0; hop < 4; hop++) script.set(`a/v1/slow${hop}`, { status: 302, location: `/v1/slow${hop + 1}`, delayMs: 250 });
    const plain = axios.create({ baseURL: a, adapter: 'fetch' });
    const api = client({ allow: [`${a}/v1/`] }, { adapter: 'fetch' });
    const outcomes = [];
    for (const instance of [plain, api]) {
      const error: unknown = await instance.get('/v1/slow0', { timeout: 700 }).then(
        () => 'resolved',
        (e: unknown) => e,
      );
      outcomes.push(axios.isAxiosError(error) ? [error.code, error.message] : error);
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[0]).toEqual(['ETIMEDOUT', expect.stringMatching(/700/)]);
  });

  it('keeps HEAD on a 303, and turns a POST into a GET without its body', async () => {
    const api = client({ header: 'X-Api-Token' }, { adapter: 'fetch' });
    script.set('a/see', { status: 303, location: '/other' });
    await api.head('/see');
    await api.post('/see', { x: 1 });
    expect(seen.map((entry) => [entry.method, entry.path, entry.body, entry.headers['content-type']])).toEqual([
      ['HEAD', '/see', '', undefined],
      ['HEAD', '/other', '', undefined],
      ['POST', '/see', '{"x":1}', 'application/json'],
      ['GET', '/other', '', undefined],
    ]);
  });

  it.each([
    ['a data: URL', 'data:text/plain,hi', 'URL scheme must be a HTTP(S) scheme'],
    ['user info', 'http://user:pass@127.0.0.1:1/', 'cross origin not allowed for request mode "cors"'],
    ['a loop', '/loop', 'redirect count exceeded'],
  ])('rejects a Location with %s as a network error, as fetch does', async (_name, location, reason) => {
    script.set('a/loop', { status: 302, location });
    const api = client({ header: 'X-Api-Token' }, { adapter: 'fetch' });
    const plain = axios.create({ baseURL: a, adapter: 'fetch' });
    // Bun's fetch follows user info and more than 20 hops; the plugin keeps to the standard there too.
    for (const instance of fetchIsStandard ? [plain, api] : [api]) {
      const error: unknown = await instance.get('/loop').catch((e: unknown) => e);
      expect(axios.isAxiosError(error) && [error.code, error.message]).toEqual(['ERR_NETWORK', 'Network Error']);
      if (fetchIsUndici) expect((error as Error).cause).toMatchObject({ message: reason });
    }
  });

  it('rejects a streamed body on a 307 with an AxiosError that has a code', async () => {
    script.set('a/upload', { status: 307, location: '/elsewhere' });
    const api = client({ header: 'X-Api-Token' }, { adapter: 'fetch' });
    const error: unknown = await api
      .post('/upload', Readable.toWeb(Readable.from(['chunk'])), { fetchOptions: { duplex: 'half' } } as AxiosRequestConfig)
      .catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && typeof error.code).toBe('string');
  });

  it('gives the app its own request back in response.config, and the final URL in response.request', async () => {
    script.set('a/v1/start', { status: 302, location: '/v1/end' });
    const api = client({ allow: [`${a}/v1/`] }, { adapter: 'fetch' });
    const response = await api.get('start', { baseURL: `${a}/v1`, params: { q: 'a b' }, fetchOptions: { redirect: 'follow' } });
    expect([response.config.url, response.config.baseURL, response.config.params, response.config.method]).toEqual([
      'start',
      `${a}/v1`,
      { q: 'a b' },
      'get',
    ]);
    expect(response.config.fetchOptions).toEqual({ redirect: 'follow' });
    expect((response.request as { url?: string }).url).toBe(`${a}/v1/end`);
  });
});

describe('retries never repeat work', () => {
  for (const adapter of ['http', 'fetch'] as const) {
    it(`does not send a POST again whose 303 led to a 401 (${adapter})`, async () => {
      const api = client({}, { adapter });
      script.set('a/orders', { status: 303, location: '/orders/1' });
      script.set('a/orders/1', { status: 401 });
      const error: unknown = await api.post('/orders', { item: 1 }).catch((e: unknown) => e);
      expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
      expect(seen.filter((entry) => entry.method === 'POST')).toHaveLength(1);
      expect(session.refreshes).toBe(0);
    });
  }

  it('forces no refresh and no retry for a 401 from a hop that carried no token', async () => {
    const api = client({ header: 'X-Api-Token' }, { adapter: 'fetch' });
    script.set('a/away', { status: 302, location: '{b}/landing' });
    script.set('b/landing', { status: 401 });
    const error: unknown = await api.get('/away').catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect([seen.length, session.refreshes]).toEqual([2, 0]);
  });

  it('still retries a GET whose redirect stayed allowed and whose token was rejected', async () => {
    const api = client({}, { adapter: 'fetch' });
    script.set('a/old', { status: 301, location: '/new' });
    const first = token();
    script.set('a/new', (entry) => ({ status: Object.values(entry.headers).some((value) => String(value).includes(first)) ? 401 : 200 }));
    await expect(api.get('/old')).resolves.toMatchObject({ status: 200 });
    expect(session.refreshes).toBe(1);
    expect(seen.map((entry) => entry.path)).toEqual(['/old', '/new', '/old', '/new']);
  });
});

describe('transparent where the plugin has nothing to do', () => {
  it('rejects params axios cannot build as axios does without the plugin', async () => {
    const plain = axios.create({ baseURL: a, adapter: 'http' });
    const api = client({}, { adapter: 'http' });
    const errors = [];
    for (const instance of [plain, api]) {
      const error: unknown = await instance.get('/x', { params: { d: new Date(NaN) } }).catch((e: unknown) => e);
      errors.push([axios.isAxiosError(error), (error as Error).name, (error as Error).message]);
    }
    expect(errors[1]).toEqual(errors[0]);
  });
});
