/**
 * `installAmplifyIam` end to end against an API that verifies every signature with another
 * implementation (aws4, test/harness/iam-api.ts): what is signed is what is sent, for every body
 * and URL shape, through the http and fetch adapters; credentials are asked once however many
 * requests wait, ahead of expiry, and again when the API says they expired; a clock 10 minutes off
 * costs one retry; nothing of a signature reaches a URL out of `allow`, on any hop.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { installIam } from '../../src/iam/install.js';
import { isAmplifyAuthError } from '../../src/errors.js';
import type { AmplifyAuthEvents } from '../../src/types.js';
import { type IamApi, type KnownCredentials, startIamApi } from '../harness/iam-api.js';
import { closeServers } from '../support/servers.js';

const region = 'eu-west-1';
const known = new Map<string, KnownCredentials>();
let api: IamApi;
let other: Server;
let otherUrl = '';
const seenByOther: IncomingHttpHeaders[] = [];

/** A credentials provider like an STS or identity-pool client: new credentials on every call, counted. */
let providers = 0;
function provider(lifetimeMs = 3_600_000) {
  let serial = 0;
  const id = String((providers += 1)).padStart(4, '0');
  const calls = vi.fn(async () => {
    serial += 1;
    const credentials = {
      accessKeyId: `ASIATEST${id}${String(serial).padStart(8, '0')}`,
      secretAccessKey: `secret/${serial}+key=`,
      sessionToken: `token+${serial}/==`,
      expiration: new Date(Date.now() + lifetimeMs),
    };
    known.set(credentials.accessKeyId, credentials);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return credentials;
  });
  return calls;
}

beforeAll(async () => {
  api = await startIamApi({ region, service: 'execute-api', credentials: (id) => known.get(id) });
  other = createServer((request, response) => {
    seenByOther.push(request.headers);
    response.end('{}');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api.stop();
  await closeServers(other);
});
beforeEach(() => {
  api.requests.length = 0;
  api.clockOffsetMs = 0;
  seenByOther.length = 0;
});

function client(adapter: 'http' | 'fetch', credentials = provider(), options: object = {}) {
  const instance: AxiosInstance = axios.create({ baseURL: api.url, adapter });
  const handle = installIam(instance, { region, service: 'execute-api', credentials, ...options }, undefined);
  const events = { refresh: vi.fn<(payload: AmplifyAuthEvents['refresh']) => void>(), logout: vi.fn() };
  handle.on('refresh', events.refresh);
  handle.on('logout', events.logout);
  return { instance, credentials, handle, events };
}

const signed = (headers: IncomingHttpHeaders | Record<string, string>): boolean =>
  Object.keys(headers).some((name) => /^(authorization|x-amz-date|x-amz-security-token|x-amz-content-sha256)$/i.test(name));

describe.each(['http', 'fetch'] as const)('installAmplifyIam (%s adapter)', (adapter) => {
  it('signs every body and URL shape exactly as sent: the verifier accepts each', async () => {
    const { instance } = client(adapter);
    const form = new FormData();
    form.append('field', 'välue');
    form.append('file', new Blob(['file ✓'], { type: 'text/plain' }), 'f.txt');
    const requests: Array<Promise<{ status: number }>> = [
      instance.get('/items'),
      instance.get('/search', { params: { q: "a b+c&d=e/f?g#h!*'();:@$,[]", tag: ['x', 'y'], empty: '' } }),
      instance.get("/caf\u00e9/na\u00efve/a(b)/%2Fslash/!*'()/"),
      instance.post('/json', { text: 'héllo 😀', n: 1 }),
      instance.post('/text', 'plain body', { headers: { 'Content-Type': 'text/plain' } }),
      instance.post('/form-urlencoded', new URLSearchParams({ a: '1 2', b: 'x&y' })),
      instance.post('/form-data', form),
      instance.put('/binary', new Uint8Array([0, 1, 2, 255, 254]), { headers: { 'Content-Type': 'application/octet-stream' } }),
      instance.delete('/empty'),
      instance.patch('/json', { nested: { deep: [1, 'two'] } }),
    ];
    const statuses = (await Promise.allSettled(requests)).map((result) =>
      result.status === 'fulfilled'
        ? result.value.status
        : (result.reason as { response?: { status: number; data: unknown } }).response?.data,
    );
    expect(statuses).toEqual(requests.map(() => 200));
    expect(api.requests.every((request) => request.refusal === undefined)).toBe(true);
  });

  it('asks for credentials once for 30 concurrent requests, and again only shortly before they expire', async () => {
    const credentials = provider(90_000);
    const { instance, events } = client(adapter, credentials, { leewaySeconds: 60 });
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, n) => instance.get(`/n/${n}`).then((r) => r.status)));
    expect([new Set(statuses), credentials.mock.calls.length]).toEqual([new Set([200]), 1]);
    // Valid for 90 s, renewed within min(60 s, half their lifetime) = 45 s of expiry: good now…
    await instance.get('/again');
    expect(credentials).toHaveBeenCalledTimes(1);
    // …and 46 s later renewed once before sending, not after a rejected request.
    vi.useFakeTimers({ now: Date.now() + 46_000, toFake: ['Date'] });
    try {
      const refusedBefore = api.requests.filter((request) => request.refusal).length;
      await Promise.all(Array.from({ length: 10 }, () => instance.get('/later')));
      expect(credentials).toHaveBeenCalledTimes(2);
      expect(events.refresh).toHaveBeenCalledWith({ trigger: 'expiring' });
      expect(api.requests.filter((request) => request.refusal).length).toBe(refusedBefore);
    } finally {
      vi.useRealTimers();
    }
  });

  it('retries once with new credentials when the API says they expired: 30 requests, one refresh', async () => {
    const credentials = provider();
    const { instance, events } = client(adapter, credentials);
    await instance.get('/first');
    // The API now takes the credentials for expired (a clock the provider's expiry did not foresee).
    const first = [...known.keys()].at(-1)!;
    known.set(first, { ...known.get(first)!, expiration: new Date(Date.now() - 1000) });
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, n) => instance.get(`/x/${n}`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(credentials).toHaveBeenCalledTimes(2);
    expect(events.refresh).toHaveBeenCalledWith({ trigger: 'unauthorized' });
    expect(api.requests.filter((request) => request.refusal === 'ExpiredTokenException')).toHaveLength(30);
  });

  it('recovers from a clock 10 minutes off with one retry at the server’s time, and signs the next request right', async () => {
    const credentials = provider();
    const { instance } = client(adapter, credentials);
    api.clockOffsetMs = 10 * 60_000;
    await expect(instance.post('/skewed', { a: 1 })).resolves.toMatchObject({ status: 200 });
    await expect(instance.get('/next')).resolves.toMatchObject({ status: 200 });
    expect(api.requests.map((request) => [request.target.split('?')[0], request.refusal ?? 'ok'])).toEqual([
      ['/skewed', 'InvalidSignatureException'],
      ['/skewed', 'ok'],
      ['/next', 'ok'],
    ]);
    expect(credentials).toHaveBeenCalledTimes(1);
  });

  it('sends requests out of `allow` unsigned, and no redirect hop keeps the signature', async () => {
    const { instance } = client(adapter);
    await instance.get(`${otherUrl}/elsewhere`);
    expect(seenByOther.map(signed)).toEqual([false]);
    seenByOther.length = 0;
    await instance.get('/redirect', { params: { to: `${otherUrl}/landing` } });
    expect(seenByOther).toHaveLength(1);
    expect(signed(seenByOther[0]!)).toBe(false);
  });

  it('keeps the secret key out of every config the app sees (responses and errors)', async () => {
    const credentials = provider();
    const { instance } = client(adapter, credentials);
    const response = await instance.get('/ok');
    const error: unknown = await instance.get(`${otherUrl}/x`, { validateStatus: () => false }).catch((e: unknown) => e);
    const secrets = [...known.values()].map((known) => known.secretAccessKey);
    for (const config of [response.config, (error as { config: unknown }).config]) {
      const text = JSON.stringify(config);
      expect(secrets.filter((secret) => text.includes(JSON.stringify(secret).slice(1, -1)))).toEqual([]);
      // Nor the credentials in memory, which are base64url-encoded JSON ({"typ":"aws-credentials"}).
      expect(text).not.toContain(Buffer.from('{"typ":"aws-credentials"}').toString('base64url'));
      expect(text).not.toMatch(/X-Amz-Security-Token/i);
    }
  });

  it('rejects a streamed body with a clear error, before anything is sent', async () => {
    const { instance } = client(adapter);
    const error: unknown = await instance
      .post('/upload', Readable.from(['chunk']), { headers: { 'Content-Type': 'application/octet-stream' } })
      .catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && [error.code, error.message]).toEqual([
      'ERR_BAD_REQUEST',
      'axios-amplify-auth/iam: a streamed body cannot be signed: send its bytes',
    ]);
    expect(api.requests).toHaveLength(0);
  });
});

describe('installAmplifyIam: sessions and bad input', () => {
  it('fires logout once when the credentials source says the session ended, and rejects the waiting requests', async () => {
    const { SessionEndedError } = await import('../../src/errors.js');
    let ended = false;
    const credentials = provider();
    const source = vi.fn(async () => {
      if (ended) throw new SessionEndedError('revoked');
      return credentials();
    });
    const { instance, events } = client('http', source);
    await instance.get('/first');
    ended = true;
    const first = [...known.keys()].at(-1)!;
    known.set(first, { ...known.get(first)!, expiration: new Date(Date.now() - 1000) });
    const errors = await Promise.all(Array.from({ length: 5 }, () => instance.get('/x').catch((e: unknown) => e)));
    expect(errors.map((error) => isAmplifyAuthError(error) && error.code)).toEqual(Array(5).fill('SESSION_ENDED'));
    expect(events.logout).toHaveBeenCalledTimes(1);
    expect(events.logout).toHaveBeenCalledWith(expect.objectContaining({ reason: 'revoked' }));
  });

  it.each([
    [{ service: 'execute-api' }, /`region` must be an AWS region/],
    [{ region: 'Europe', service: 'execute-api' }, /`region` must be an AWS region/],
    [{ region, service: '' }, /`service` must be a signing name/],
    [{ region, service: 'execute-api', credentials: 'key' }, /`credentials` must be a function/],
    [{ region, service: 'execute-api', header: 'X' }, /`header` must be one of/],
    [{ region, service: 'execute-api', allow: 'https://api.example.com' }, /^installAmplifyIam: `allow` must be/],
    [{ region, service: 'execute-api', leewaySeconds: -1 }, /^installAmplifyIam: `leewaySeconds` must be/],
  ])('refuses %o with a TypeError naming the option', (options, message) => {
    const instance = axios.create();
    expect(() => installIam(instance, { credentials: provider(), ...options } as never, undefined)).toThrow(message);
    expect(() => installIam(instance, { region, service: 'execute-api', credentials: provider() }, undefined)).not.toThrow();
  });
});

describe('no signature on any hop but the first, nor on a URL out of allow (generated chains)', () => {
  it('holds on every adapter for 300 generated redirect chains', async () => {
    const fc = (await import('fast-check')).default;
    const seen: Array<{ origin: string; path: string; headers: IncomingHttpHeaders }> = [];
    const servers = await Promise.all(
      ['a', 'b'].map(async (origin) => {
        const server = createServer((request, response) => {
          seen.push({ origin, path: request.url ?? '', headers: request.headers });
          // /hop/<status>:<origin>/<status>:<origin>/… : each segment is the next redirect.
          const [, , step, ...rest] = decodeURIComponent(request.url ?? '').split('/');
          if (!step) return void response.end('{}');
          const [status, to] = step.split(':');
          response.writeHead(Number(status), { location: `${urls[to === 'a' ? 0 : 1]}/hop/${rest.join('/')}` }).end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return server;
      }),
    );
    const urls = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const credentials = provider();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('http', 'fetch'),
          fc.array(fc.tuple(fc.constantFrom(301, 302, 303, 307, 308), fc.constantFrom('a', 'b')), { maxLength: 3 }),
          fc.constantFrom('a', 'b'),
          fc.constantFrom('get', 'post'),
          async (adapter, chain, start, method) => {
            seen.length = 0;
            const instance = axios.create({ adapter, validateStatus: () => true, timeout: 5000 });
            const handle = installIam(instance, { region, service: 'execute-api', credentials, allow: [urls[0]!] }, undefined);
            try {
              const path = `/hop/${chain.map(([status, to]) => `${status}:${to}`).join('/')}`;
              await instance.request({
                method,
                url: `${urls[start === 'a' ? 0 : 1]}${path}`,
                data: method === 'post' ? { x: 1 } : undefined,
              });
            } finally {
              handle.uninstall();
            }
            expect(seen.length).toBeGreaterThan(0);
            // Only the first request, and only to the allowed origin, is signed.
            expect(seen.map((hop, index) => signed(hop.headers) === (index === 0 && start === 'a'))).toEqual(seen.map(() => true));
          },
        ),
        { numRuns: Number(process.env['FC_RUNS'] ?? 300), seed: 20261207 },
      );
    } finally {
      await closeServers(...servers);
    }
  }, 120_000);
});

describe('installAmplifyIam: an identity change while a credentials refresh is in flight', () => {
  it('rejects the waiting request with SESSION_CHANGED, never signs it with the new identity, and serves the new identity at once', async () => {
    const { credentialsTokenSource } = await import('../../src/iam/source.js');
    const mint = provider();
    let identity = 'eu-west-1:identity-a';
    let release: () => void = () => {};
    const listeners = new Set<() => void>();
    const issued = new Map<string, string>();
    const source = credentialsTokenSource(
      {
        async getCredentials({ forceRefresh }) {
          const mine = identity;
          // A's forced refresh hangs until released; whatever it brings is A's.
          if (forceRefresh && mine.endsWith('-a')) await new Promise<void>((resolve) => (release = resolve));
          const credentials = await mint();
          issued.set(credentials.accessKeyId, mine);
          known.set(credentials.accessKeyId, { ...credentials, identityId: mine });
          return { credentials, identityId: mine, userSub: mine.endsWith('-a') ? 'user-a' : 'user-b' };
        },
      },
      (onChange) => {
        listeners.add(onChange);
        return () => listeners.delete(onChange);
      },
    );
    const instance = axios.create({ baseURL: api.url, adapter: 'http' });
    installIam(instance, { region, service: 'execute-api' }, () => source);
    await instance.get('/first');
    const firstKey = [...issued.keys()][0]!;
    known.set(firstKey, { ...known.get(firstKey)!, expiration: new Date(Date.now() - 1000) });
    const waiting = instance.get('/waiting').catch((e: unknown) => e);
    await vi.waitFor(() => expect(api.requests.filter((request) => request.target === '/waiting')).toHaveLength(1));
    // B signs in while A's refresh is in flight.
    identity = 'eu-west-1:identity-b';
    for (const listener of listeners) listener();
    const error = await waiting;
    expect(isAmplifyAuthError(error) && error.code).toBe('SESSION_CHANGED');
    await expect(instance.get('/as-b')).resolves.toMatchObject({ data: { identityId: 'eu-west-1:identity-b' } });
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // /waiting went out once (refused as expired), and never with B's credentials.
    const waited = api.requests.filter((request) => request.target === '/waiting');
    expect(waited.map((request) => issued.get(request.accessKeyId ?? ''))).toEqual(['eu-west-1:identity-a']);
  });
});
