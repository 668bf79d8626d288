import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, {
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosRequestConfig,
  type AxiosRequestTransformer,
  type AxiosResponse,
  getAdapter,
  type InternalAxiosRequestConfig,
} from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasOrderingOption } from './support/axios-version.js';
import { fromFetchAuthSession, installAmplifyAuth, type SessionTokens, type TokenSource } from '../src/core.js';
import { FakeSession } from './support/fake-source.js';
import { interceptorCount } from './support/interceptors.js';
import { issueTokens, serialOf } from './support/jwt.js';
import { delay, nextTurns, until } from './support/time.js';

// Real servers on loopback that record what really arrived: path, headers and body bytes.
// `api` is the protected API (it checks the token's serial), `other` is another origin.

interface Seen {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  /** Filled once the whole body has arrived; stays undefined if it never does. */
  body: Buffer | undefined;
}

interface Recorder {
  server: Server;
  url: string;
  port: number;
  seen: Seen[];
}

// Every JWT of test/support/jwt.ts starts with this (base64url of `{"alg":"none",…`).
const jwtPrefix = 'eyJhbGci';
const anyTokenIn = (headers: IncomingHttpHeaders): boolean =>
  Object.values(headers).some((value) => (Array.isArray(value) ? value.join() : String(value)).includes(jwtPrefix));

function tokenIn(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-token'] ?? headers.authorization;
  return typeof value === 'string' ? value.replace(/^Bearer /, '') : undefined;
}

async function start(handle: (seen: Seen, response: ServerResponse) => void | Promise<void>): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const entry: Seen = { path: request.url ?? '', method: request.method ?? '', headers: request.headers, body: undefined };
    seen.push(entry);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      entry.body = Buffer.concat(chunks);
      void Promise.resolve(handle(entry, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, port, seen };
}

const json = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

let api: Recorder;
let other: Recorder;
/** Tokens with a serial below this are answered 401 by the API. */
let acceptFrom = 0;
const open = new Set(['/admin', '/v1/next', '/v1/landing', '/landing']);

beforeAll(async () => {
  other = await start((_seen, response) => json(response, 200, { where: 'other' }));
  api = await start(async (seen, response) => {
    const url = new URL(seen.path, 'http://x');
    const answerAfterMs = Math.min(Number(url.searchParams.get('delay') ?? 0), 2000);
    if (answerAfterMs > 0) await delay(answerAfterMs);
    const path = url.pathname;
    if (path === '/away') return void response.writeHead(302, { location: `${other.url}/landing` }).end();
    if (path === '/v1/out') return void response.writeHead(302, { location: '/admin' }).end();
    if (path === '/v1/in') return void response.writeHead(302, { location: '/v1/next' }).end();
    if (path === '/v2/redirecting') return void response.writeHead(302, { location: '/v1/landing' }).end();
    if (open.has(path)) return json(response, 200, { open: path });
    const token = tokenIn(seen.headers);
    if (!token) return json(response, 401, { message: 'no token' });
    if (serialOf(token) < acceptFrom) return json(response, 401, { message: 'rejected' });
    json(response, 200, { ok: true, path, body: seen.body?.toString() ?? '' });
  });
});

afterAll(async () => {
  await Promise.all(
    [api, other].map(
      (recorder) =>
        new Promise((resolve) => {
          recorder.server.closeAllConnections();
          recorder.server.close(resolve);
        }),
    ),
  );
});

beforeEach(() => {
  api.seen.length = 0;
  other.seen.length = 0;
  acceptFrom = 0;
});

/** A custom adapter (a function): the app's own, which the plugin must wrap like a named one. */
let customCalls = 0;
const customAdapter: AxiosAdapter = (config) => {
  customCalls += 1;
  return getAdapter('http')(config);
};

const adapters = { http: 'http', fetch: 'fetch' } as const;
const withCustom = { ...adapters, custom: customAdapter } as const;
type AdapterName = keyof typeof withCustom;

function setup(
  adapter: NonNullable<AxiosRequestConfig['adapter']>,
  options: { header?: string; allow?: (string | RegExp)[] } = {},
  config: AxiosRequestConfig = {},
) {
  const session = new FakeSession();
  session.signIn();
  const instance: AxiosInstance = axios.create({ baseURL: api.url, adapter, timeout: 3000, ...config });
  return { session, instance, install: () => installAmplifyAuth(instance, { source: session.source, ...options }) };
}

const seenAt = (recorder: Recorder, path: string): Seen[] =>
  recorder.seen.filter((entry) => new URL(entry.path, 'http://x').pathname === path);
const serialsAt = (path: string): Array<number | undefined> =>
  seenAt(api, path).map((entry) => {
    const token = tokenIn(entry.headers);
    return token ? serialOf(token) : undefined;
  });

// `transformRequest: [JSON.stringify]` as apps write it: axios passes the headers as the 2nd
// argument (JSON.stringify's replacer, ignored for an object); only the types disagree.
const stringify = JSON.stringify as unknown as AxiosRequestTransformer;

describe('1. a retry resends the bytes of the first attempt', () => {
  for (const [name, adapter] of Object.entries(adapters)) {
    it(`does not stringify the body twice with an instance-level transformRequest: [JSON.stringify] (${name})`, async () => {
      const { session, instance, install } = setup(adapter, {}, { transformRequest: [stringify] });
      install();
      acceptFrom = session.serial + 1;
      const response = await instance.post('/me', { a: 1 });
      expect(response.status).toBe(200);
      const bodies = seenAt(api, '/me').map((entry) => entry.body?.toString());
      expect(bodies).toEqual(['{"a":1}', '{"a":1}']);
      expect(serialsAt('/me')).toEqual([1, 2]);
    });

    it(`does not stringify the body twice with a request-level transformRequest: [JSON.stringify] (${name})`, async () => {
      const { session, instance, install } = setup(adapter);
      install();
      acceptFrom = session.serial + 1;
      const response = await instance.post('/me', { a: 1 }, { transformRequest: [stringify] });
      expect(response.status).toBe(200);
      const bodies = seenAt(api, '/me').map((entry) => entry.body?.toString());
      expect(bodies).toEqual(['{"a":1}', '{"a":1}']);
      expect(serialsAt('/me')).toEqual([1, 2]);
    });

    it(`does not hang on the retry of a body that a transform shortens; Content-Length matches the bytes (${name})`, async () => {
      const { session, instance, install } = setup(adapter);
      install();
      acceptFrom = session.serial + 1;
      const shorten: AxiosRequestTransformer = (data: string) => data.slice(1);
      const response = await instance.post('/me', 'xabcdef', { transformRequest: [shorten], headers: { 'content-type': 'text/plain' } });
      expect(response.status).toBe(200);
      const attempts = seenAt(api, '/me');
      expect(attempts.map((entry) => entry.body?.toString())).toEqual(['abcdef', 'abcdef']);
      for (const entry of attempts) expect(Number(entry.headers['content-length'])).toBe(entry.body?.length);
    });
  }
});

describe('2. app interceptors run once on a retried call', () => {
  for (const [name, adapter] of Object.entries(withCustom) as Array<[AdapterName, (typeof withCustom)[AdapterName]]>) {
    for (const when of ['before', 'after'] as const) {
      it(`a url-prefixing request interceptor registered ${when} install is not applied again on the retry (/v1/me, not /v1/v1/me) (${name})`, async () => {
        const { session, instance, install } = setup(adapter);
        let runs = 0;
        const prefix = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
          runs += 1;
          config.url = `/v1${config.url ?? ''}`;
          return config;
        };
        if (when === 'before') instance.interceptors.request.use(prefix);
        install();
        if (when === 'after') instance.interceptors.request.use(prefix);
        acceptFrom = session.serial + 1;
        customCalls = 0;
        const response = await instance.get('/me');
        expect(response.status).toBe(200);
        expect(runs).toBe(1);
        expect(api.seen.map((entry) => entry.path)).toEqual(['/v1/me', '/v1/me']);
        expect(serialsAt('/v1/me')).toEqual([1, 2]);
        if (name === 'custom') expect(customCalls).toBe(2);
      });

      it(`a response interceptor (r) => r.data registered ${when} install runs once: the retried call resolves with the data (${name})`, async () => {
        const { session, instance, install } = setup(adapter);
        let runs = 0;
        const unwrap = (response: AxiosResponse): AxiosResponse => {
          runs += 1;
          return response.data as AxiosResponse;
        };
        if (when === 'before') instance.interceptors.response.use(unwrap);
        install();
        if (when === 'after') instance.interceptors.response.use(unwrap);
        acceptFrom = session.serial + 1;
        const data: unknown = await instance.get('/me');
        expect(data).toEqual({ ok: true, path: '/me', body: '' });
        expect(runs).toBe(1);
        expect(serialsAt('/me')).toEqual([1, 2]);
      });
    }
  }
});

describe('3. redirects keep the token only on allowed hops', () => {
  for (const [name, adapter] of Object.entries(adapters)) {
    it(`a custom header (X-Token) does not follow a 302 to another origin (${name})`, async () => {
      const { instance, install } = setup(adapter, { header: 'X-Token' });
      install();
      const response = await instance.get('/away');
      expect(response.status).toBe(200);
      expect(seenAt(api, '/away').map((entry) => entry.headers['x-token'] !== undefined)).toEqual([true]);
      expect(other.seen.map((entry) => entry.path)).toEqual(['/landing']);
      expect(other.seen.some((entry) => anyTokenIn(entry.headers))).toBe(false);
    });

    it(`a path-prefix allow does not let Authorization follow a same-origin 302 to /admin (${name})`, async () => {
      const { instance, install } = setup(adapter, { allow: [`${api.url}/v1/`] });
      install();
      const response = await instance.get('/v1/out');
      expect(response.status).toBe(200);
      expect(api.seen.map((entry) => [entry.path, entry.headers.authorization !== undefined])).toEqual([
        ['/v1/out', true],
        ['/admin', false],
      ]);
      expect(anyTokenIn(seenAt(api, '/admin')[0]!.headers)).toBe(false);
    });

    it(`a path-prefix allow keeps Authorization on a 302 to /v1/next (${name})`, async () => {
      const { session, instance, install } = setup(adapter, { allow: [`${api.url}/v1/`] });
      install();
      const response = await instance.get('/v1/in');
      expect(response.status).toBe(200);
      const bearer = `Bearer ${session.tokens!.idToken}`;
      expect(api.seen.map((entry) => [entry.path, entry.headers.authorization])).toEqual([
        ['/v1/in', bearer],
        ['/v1/next', bearer],
      ]);
    });
  }
});

describe('4. the token is judged on the URL really sent, after every app interceptor and transform', () => {
  const toOther = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    config.baseURL = other.url;
    return config;
  };
  const expectNoTokenAtOther = () => {
    expect(other.seen.map((entry) => entry.path)).toEqual(['/x']);
    expect(other.seen.some((entry) => anyTokenIn(entry.headers))).toBe(false);
    expect(api.seen).toEqual([]);
  };

  for (const [name, adapter] of Object.entries(withCustom)) {
    it(`an interceptor registered BEFORE install that moves baseURL to another origin does not get the token there (${name})`, async () => {
      const { instance, install } = setup(adapter);
      instance.interceptors.request.use(toOther);
      install();
      await instance.get('/x');
      expectNoTokenAtOther();
    });

    it.skipIf(!hasOrderingOption)(
      `an interceptor registered AFTER install with legacyInterceptorReqResOrdering: false (instance) does not get the token to another origin (${name})`,
      async () => {
        const { instance, install } = setup(adapter, {}, { transitional: { legacyInterceptorReqResOrdering: false } });
        install();
        instance.interceptors.request.use(toOther);
        await instance.get('/x');
        expectNoTokenAtOther();
      },
    );

    it.skipIf(!hasOrderingOption)(
      `an interceptor registered AFTER install with legacyInterceptorReqResOrdering: false (per request) does not get the token to another origin (${name})`,
      async () => {
        const { instance, install } = setup(adapter);
        install();
        instance.interceptors.request.use(toOther);
        await instance.get('/x', { transitional: { legacyInterceptorReqResOrdering: false } });
        expectNoTokenAtOther();
      },
    );

    it(`a transformRequest that rewrites this.url to another origin does not get the token there (${name})`, async () => {
      const { instance, install } = setup(adapter);
      install();
      const moveUrl: AxiosRequestTransformer = function (this: InternalAxiosRequestConfig, data: unknown) {
        this.url = `${other.url}/x`;
        return data;
      };
      await instance.get('/me', { transformRequest: [moveUrl] });
      expectNoTokenAtOther();
    });
  }
});

describe('5. a config re-sent through a second install', () => {
  const variants: Array<[string, (config: InternalAxiosRequestConfig) => AxiosRequestConfig]> = [
    ['{ ...response.config, url }', (config) => ({ ...config, url: '/v2/redirecting' })],
    [
      '{ ...response.config, url, fetchOptions: undefined }',
      (config) => {
        // As an app's plain JavaScript would: fetchOptions set to undefined explicitly.
        const resent: AxiosRequestConfig = { ...config, url: '/v2/redirecting' };
        return Object.assign(resent, { fetchOptions: undefined });
      },
    ],
  ];
  for (const [name, adapter] of Object.entries(adapters)) {
    for (const [shape, resend] of variants) {
      it(`B sends its own token within its allow, none beyond it, and never A's token: ${shape} (${name})`, async () => {
        const a = new FakeSession();
        a.signIn();
        const b = new FakeSession();
        b.signIn();
        b.signIn(); // serial 2: B's tokens differ from A's
        const apiA = axios.create({ baseURL: api.url, adapter, timeout: 3000 });
        const apiB = axios.create({ baseURL: api.url, adapter, timeout: 3000 });
        installAmplifyAuth(apiA, { source: a.source, allow: [`${api.url}/v1/`] });
        installAmplifyAuth(apiB, { source: b.source, header: 'X-Token', allow: [`${api.url}/v2/`] });
        const first = await apiA.get('/v1/me');
        expect(first.status).toBe(200);
        expect(seenAt(api, '/v1/me')[0]?.headers.authorization).toBe(`Bearer ${a.tokens!.idToken}`);
        api.seen.length = 0;

        const outcome = await apiB.request(resend(first.config)).then(
          (response) => response.status,
          (error: { message?: string }) => `rejected: ${error.message}`,
        );
        const aToken = a.tokens!.idToken;
        const everything = api.seen.concat(other.seen);
        const carries = (entry: Seen, token: string) => Object.values(entry.headers).some((value) => String(value).includes(token));
        // A's token is sent on by B nowhere.
        expect(everything.filter((entry) => carries(entry, aToken)).map((entry) => entry.path)).toEqual([]);
        // Beyond B's allow: no token at all.
        expect(
          everything.filter((entry) => !entry.path.startsWith('/v2/') && anyTokenIn(entry.headers)).map((entry) => entry.path),
        ).toEqual([]);
        // Within B's allow: B's own token, in B's header.
        expect(seenAt(api, '/v2/redirecting').map((entry) => [entry.headers['x-token'], entry.headers.authorization])).toEqual([
          [`Bearer ${b.tokens!.idToken}`, undefined],
        ]);
        // And the redirect is followed, as it would be without the plugin.
        expect(outcome).toBe(200);
        expect(seenAt(api, '/v1/landing')).toHaveLength(1);
      });
    }
  }
});

describe('6. a url that is a String object', () => {
  for (const [name, adapter] of Object.entries(adapters)) {
    it(`new String(<other origin>) with a baseURL sends no token anywhere (${name})`, async () => {
      const { instance, install } = setup(adapter);
      install();
      await instance.get(new String(`${other.url}/x`) as unknown as string).catch(() => undefined);
      expect(api.seen.concat(other.seen).some((entry) => anyTokenIn(entry.headers))).toBe(false);
      // It did go out (axios sends it, wherever it resolves it to): the test is not vacuous.
      expect(api.seen.length + other.seen.length).toBe(1);
    });
  }
});

describe('7. a URL that Node cannot parse', () => {
  for (const [name, adapter] of Object.entries(adapters)) {
    it(`//127.0.0.1:P@127.0.0.1:OTHER/x with a RegExp allow matching its raw text gets no token (${name})`, async () => {
      const raw = `//127.0.0.1:${api.port}@127.0.0.1:${other.port}/x`;
      const { instance, install } = setup(adapter, { allow: [new RegExp(`127\\.0\\.0\\.1:${api.port}`)] });
      install();
      // Axios may throw for it (Node cannot parse it): then no server may have seen a token either.
      await instance.get(raw).catch(() => undefined);
      expect(api.seen.concat(other.seen).some((entry) => anyTokenIn(entry.headers))).toBe(false);
    });
  }
});

describe('8. validateStatus that accepts everything', () => {
  for (const [name, adapter] of Object.entries(adapters)) {
    it(`a 401 resolved by validateStatus: () => true is still refreshed once and retried (${name})`, async () => {
      const { session, instance, install } = setup(adapter);
      install();
      acceptFrom = session.serial + 1;
      const response = await instance.get('/me', { validateStatus: () => true });
      expect(response.status).toBe(200);
      expect(session.refreshes).toBe(1);
      expect(serialsAt('/me')).toEqual([1, 2]);
    });
  }
});

describe('9. uninstall while requests are under way', () => {
  for (const [name, adapter] of Object.entries(adapters)) {
    it(`a request waiting for a slow refresh goes out without a token after uninstall, and the 401 before it is not retried (${name})`, async () => {
      const { session, instance, install } = setup(adapter);
      const auth = install();
      await instance.get('/warm-up');
      acceptFrom = session.serial + 1;
      session.latencyMs = 300;
      const rejected = instance.get('/a').then(
        (response) => response.status,
        (error: { response?: { status: number } }) => error.response?.status,
      );
      await until(() => session.refreshes === 1, 'the refresh is under way');
      const waiting = instance.get('/b').then(
        (response) => response.status,
        (error: { response?: { status: number } }) => error.response?.status,
      );
      await nextTurns(); // /b waits for the refresh: not sent meanwhile
      expect(seenAt(api, '/b')).toEqual([]);
      auth.uninstall();
      expect(await waiting).toBe(401);
      expect(await rejected).toBe(401);
      expect(seenAt(api, '/b').map((entry) => anyTokenIn(entry.headers))).toEqual([false]);
      expect(serialsAt('/a')).toEqual([1]);
      expect(session.refreshes).toBe(1);
    });

    it(`a 401 that arrives after uninstall is not retried (${name})`, async () => {
      const { session, instance, install } = setup(adapter);
      const auth = install();
      acceptFrom = session.serial + 1;
      const pending = instance.get('/c?delay=200').then(
        (response) => response.status,
        (error: { response?: { status: number } }) => error.response?.status,
      );
      await until(() => api.seen.length === 1, 'the API saw the request');
      auth.uninstall();
      expect(await pending).toBe(401);
      expect(serialsAt('/c')).toEqual([1]);
      expect(session.refreshes).toBe(0);
    });
  }
});

describe('10. a source whose subscribe misbehaves', () => {
  it('a subscribe that throws makes install throw that error; a later install on the same source keeps the token in memory', async () => {
    const session = new FakeSession();
    session.signIn();
    const boom = new Error('subscribe failed');
    let calls = 0;
    const source: TokenSource = {
      getTokens: (options) => session.source.getTokens(options),
      subscribe: (onChange) => {
        calls += 1;
        if (calls === 1) throw boom;
        return session.source.subscribe!(onChange);
      },
    };
    const instance = axios.create({ baseURL: api.url, timeout: 3000 });
    let thrown: unknown;
    try {
      installAmplifyAuth(instance, { source });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(boom);
    expect(interceptorCount(instance)).toBe(0);

    installAmplifyAuth(instance, { source });
    expect(calls).toBe(2);
    await instance.get('/one');
    await instance.get('/two');
    expect(session.reads).toBe(1);
    expect(api.seen.map((entry) => entry.headers.authorization)).toEqual([
      `Bearer ${session.tokens!.idToken}`,
      `Bearer ${session.tokens!.idToken}`,
    ]);
  });

  it('a subscribe that returns a non-function makes install throw a TypeError and leaves no interceptor', () => {
    const session = new FakeSession();
    const source: TokenSource = {
      getTokens: (options) => session.source.getTokens(options),
      subscribe: () => 42 as unknown as () => void,
    };
    const instance = axios.create({ baseURL: api.url });
    expect(() => installAmplifyAuth(instance, { source })).toThrow(TypeError);
    expect(interceptorCount(instance)).toBe(0);
    // Nothing half-installed: the instance takes a working install afterwards.
    expect(() => installAmplifyAuth(instance, { source: session.source })).not.toThrow();
  });
});

describe('11. a source answering tokens that are not strings', () => {
  const shapes: Array<[string, unknown]> = [
    ['objects without a string toString', { idToken: { toString: undefined }, accessToken: {} }],
    ['numbers', { idToken: 1, accessToken: 2 }],
  ];
  for (const [what, answer] of shapes) {
    it(`a raw source answering ${what}: the request rejects with AmplifyAuthError naming the token source`, async () => {
      const source = { getTokens: async () => answer as SessionTokens };
      const instance = axios.create({ baseURL: api.url, timeout: 3000 });
      installAmplifyAuth(instance, { source });
      const error = (await instance.get('/me').catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('AmplifyAuthError');
      expect(error.message).toMatch(/token source/i);
      expect(api.seen.some((entry) => anyTokenIn(entry.headers))).toBe(false);
    });
  }

  const amplifyShapes: Array<[string, unknown]> = [
    ['{ idToken: { toString: undefined }, accessToken: {} }', { idToken: { toString: undefined }, accessToken: {} }],
    ['{ idToken: {}, accessToken: {} } (toString gives "[object Object]")', { idToken: {}, accessToken: {} }],
    ['numbers', { idToken: 1, accessToken: 2 }],
  ];
  for (const [what, tokens] of amplifyShapes) {
    it(`fromFetchAuthSession answering ${what}: AmplifyAuthError naming the token source, and nothing is sent as a token`, async () => {
      const fetchAuthSession = async () => ({ tokens });
      const instance = axios.create({ baseURL: api.url, timeout: 3000 });
      installAmplifyAuth(instance, { source: fromFetchAuthSession(fetchAuthSession as never) });
      const outcome = await instance.get('/me').then(
        (response) => response,
        (caught: unknown) => caught,
      );
      // Nothing that is not a token went out as one ("Bearer [object Object]", "Bearer 1").
      expect(api.seen.map((entry) => entry.headers.authorization ?? null)).toEqual([]);
      const error = outcome as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('AmplifyAuthError');
      expect(error.message).toMatch(/token source/i);
    });
  }
});

describe("12. the session ends in Amplify's own refresh", () => {
  it("Hub tokenRefresh_failure (NotAuthorizedException: Refresh Token has been revoked) fires logout 'revoked' once, at once; the next request has no token", async () => {
    type Callback = (capsule: { payload: { event: string; data?: unknown } }) => void;
    const listeners = new Set<Callback>();
    const hub = {
      listen: (_channel: 'auth', callback: Callback) => {
        listeners.add(callback);
        return () => void listeners.delete(callback);
      },
    };
    const dispatch = (event: string, data?: unknown) => {
      for (const listener of [...listeners]) listener({ payload: { event, data } });
    };
    let stored: SessionTokens | undefined = issueTokens(1);
    const fetchAuthSession = async () => {
      await Promise.resolve();
      const current = stored;
      return {
        tokens: current
          ? { idToken: { toString: () => current.idToken }, accessToken: { toString: () => current.accessToken } }
          : undefined,
      };
    };
    const instance = axios.create({ baseURL: api.url, timeout: 3000 });
    const auth = installAmplifyAuth(instance, { source: fromFetchAuthSession(fetchAuthSession, hub) });
    const logouts: string[] = [];
    auth.on('logout', ({ reason }) => logouts.push(reason));

    await instance.get('/before');
    expect(seenAt(api, '/before')[0]?.headers.authorization).toBe(`Bearer ${stored.idToken}`);

    // The app's own fetchAuthSession (or Amplify's API category) met the revoked refresh token.
    stored = undefined;
    dispatch('tokenRefresh_failure', { error: { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' } });
    expect(logouts).toEqual(['revoked']);

    await instance.get('/after', { validateStatus: () => true });
    expect(seenAt(api, '/after').map((entry) => anyTokenIn(entry.headers))).toEqual([false]);
    expect(logouts).toEqual(['revoked']);
  });
});
