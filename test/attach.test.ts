import { afterEach, describe, expect, it, vi } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import type { SessionTokens } from '../src/types.js';
import { createApi } from './support/api.js';
import { FakeSession } from './support/fake-source.js';
import { issueTokens, makeJwt, serialOf } from './support/jwt.js';
import { createClient } from './support/client.js';

afterEach(() => {
  vi.useRealTimers();
});

function staticSource(tokens: SessionTokens | undefined) {
  return { getTokens: vi.fn(async () => tokens) };
}

describe('attaching the token', () => {
  it('sends the ID token as a Bearer token by default', async () => {
    const tokens = issueTokens(7);
    const { server } = createClient({ source: staticSource(tokens) });
    await server.api.get('/x');
    expect(server.attempts[0]?.authorization).toBe(`Bearer ${tokens.idToken}`);
  });

  it('sends the access token, in another header, with another scheme or none', async () => {
    const tokens = issueTokens(7);
    const server = createApi();
    const seen: Array<Record<string, unknown>> = [];
    server.once('/x', (config) => {
      seen.push({ ...config.headers });
      return [200, {}];
    });
    installAmplifyAuth(server.api, { source: staticSource(tokens), tokenType: 'access', header: 'X-Auth', scheme: '' });
    await server.api.get('/x');
    expect(seen[0]?.['X-Auth']).toBe(tokens.accessToken);
    expect(seen[0]?.Authorization).toBeUndefined();
  });

  it('never overwrites a header the caller set', async () => {
    const { server } = createClient({ source: staticSource(issueTokens(7)) });
    server.once('/x', () => [200, {}]);
    await server.api.get('/x', { headers: { authorization: 'Basic abc' } });
    expect(server.attempts[0]?.authorization).toBe('Basic abc');
  });

  it('sends no header when nobody is signed in', async () => {
    const { server } = createClient({ source: staticSource(undefined) });
    server.once('/x', () => [200, {}]);
    await server.api.get('/x');
    expect(server.attempts[0]?.authorization).toBeUndefined();
  });

  it('sends nothing and asks nothing for a skipped request', async () => {
    const source = staticSource(issueTokens(7));
    const server = createApi();
    installAmplifyAuth(server.api, { source });
    server.once('/public', () => [200, {}]);
    await server.api.get('/public', { amplifyAuth: { skip: true } });
    expect(server.attempts[0]?.authorization).toBeUndefined();
    expect(source.getTokens).not.toHaveBeenCalled();
  });
});

describe('keeping the token in memory', () => {
  it('asks a source with subscribe once, then again only after it signals a change', async () => {
    const { session, server } = createClient();
    await Promise.all(Array.from({ length: 10 }, () => server.api.get('/x')));
    for (let i = 0; i < 10; i++) await server.api.get('/y');
    expect(session.reads).toBe(1);

    session.refreshElsewhere();
    await server.api.get('/z');
    expect(session.reads).toBe(2);
    expect(serialOf(server.attemptsOf('/z')[0]!.authorization!.slice(7))).toBe(2);
  });

  it('asks a source without subscribe on every request, so its new token is used at once', async () => {
    const { session, server } = createClient({ subscribe: false });
    await server.api.get('/1');
    session.tokens = issueTokens(99);
    await server.api.get('/2');
    expect(session.reads).toBe(2);
    expect(serialOf(server.attemptsOf('/2')[0]!.authorization!.slice(7))).toBe(99);
  });

  it('drops the token from memory on a sign-out signalled by the source', async () => {
    const { session, server } = createClient();
    await server.api.get('/1');
    session.signOut();
    await server.api.get('/2').catch(() => {});
    expect(server.attemptsOf('/2')[0]?.authorization).toBeUndefined();
  });

  it('stops trusting memory once uninstalled and installed again (the subscription was dropped)', async () => {
    const session = new FakeSession();
    session.signIn();
    const server = createApi();
    installAmplifyAuth(server.api, { source: session.source }).uninstall();
    expect(session.listeners.size).toBe(0);
    session.tokens = issueTokens(50);
    installAmplifyAuth(server.api, { source: session.source });
    await server.api.get('/x');
    expect(serialOf(server.attempts[0]!.authorization!.slice(7))).toBe(50);
  });
});

describe('refreshing before the token expires', () => {
  it('refreshes before sending when the token expires within the leeway, with no 401 seen', async () => {
    const session = new FakeSession();
    session.lifetimeSeconds = 3600;
    session.signIn();
    const { server, auth } = createClient({ source: session.source });
    const refresh = vi.fn();
    auth.on('refresh', refresh);
    await server.api.get('/1');
    vi.useFakeTimers({ now: Date.now() + (3600 - 59) * 1000, toFake: ['Date'] });
    await server.api.get('/2');
    expect(session.refreshes).toBe(1);
    expect(refresh).toHaveBeenCalledWith({ trigger: 'expiring' });
    expect(server.attemptsOf('/2').map((a) => serialOf(a.authorization!.slice(7)))).toEqual([2]);
  });

  it('does not refresh a token that is outside the leeway', async () => {
    const { session, server } = createClient({ options: { leewaySeconds: 30 } });
    vi.useFakeTimers({ now: Date.now() + (3600 - 31) * 1000, toFake: ['Date'] });
    await server.api.get('/x');
    expect(session.refreshes).toBe(0);
  });

  it('sends 100 concurrent requests in the leeway with one refresh and no 401', async () => {
    const { session, server } = createClient();
    await server.api.get('/warm');
    server.rejectCurrentTokens(session.serial);
    vi.useFakeTimers({ now: Date.now() + 3590 * 1000, toFake: ['Date'] });
    await Promise.all(Array.from({ length: 100 }, (_, i) => server.api.get(`/r/${i}`)));
    expect(session.refreshes).toBe(1);
    expect(server.attempts.filter((a) => a.url.startsWith('/r/'))).toHaveLength(100);
  });

  it('caps the leeway at half the token’s lifetime', async () => {
    const session = new FakeSession();
    session.lifetimeSeconds = 60;
    session.signIn();
    const { server } = createClient({ source: session.source, options: { leewaySeconds: 300 } });
    await server.api.get('/fresh');
    expect(session.refreshes).toBe(0);
    vi.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'] });
    await server.api.get('/late');
    expect(session.refreshes).toBe(1);
  });

  it('sends a token without a readable exp as it is', async () => {
    const token = makeJwt({ n: 3 }).replace(/\.[^.]+\./, '.not-json.');
    const source = { getTokens: vi.fn(async (_: { forceRefresh: boolean }) => ({ idToken: token, accessToken: token })) };
    const server = createApi();
    installAmplifyAuth(server.api, { source });
    server.once('/x', () => [200, {}]);
    await server.api.get('/x');
    expect(server.attempts[0]?.authorization).toBe(`Bearer ${token}`);
    expect(source.getTokens).toHaveBeenCalledWith({ forceRefresh: false });
    expect(source.getTokens).toHaveBeenCalledTimes(1);
  });

  it('does not refresh on every request when this machine’s clock runs hours ahead', async () => {
    const { session, server } = createClient();
    // The clock jumps 2 h ahead: the token looks expired, and fresh tokens are issued "in the past".
    const skew = 2 * 3600 * 1000;
    const realNow = Date.now.bind(Date);
    session.serverNow = realNow;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
    await server.api.get('/1');
    for (let i = 0; i < 5; i++) await server.api.get(`/again/${i}`);
    spy.mockRestore();
    expect(session.refreshes).toBe(1);
  });

  it('sends what a refresh gave back, without looping, when the source returns the same expiring token', async () => {
    const session = new FakeSession();
    session.signIn();
    session.refreshOutcome = { kind: 'same' };
    const { server } = createClient({ source: session.source });
    vi.useFakeTimers({ now: Date.now() + 3590 * 1000, toFake: ['Date'] });
    for (let i = 0; i < 5; i++) await server.api.get(`/r/${i}`);
    expect(session.refreshes).toBe(1);
    expect(server.attempts).toHaveLength(5);
  });
});
