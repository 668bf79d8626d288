import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromFetchAuthSession, installAmplifyAuth, isAmplifyAuthError } from '../src/core.js';
import { readClaims } from '../src/jwt.js';
import { createTestSource } from '../src/testing.js';
import { Abandonment } from '../src/timeout.js';
import { createApi } from './support/api.js';
import { observe } from './support/client.js';
import { FakeAmplifyV6 } from './support/fake-amplify.js';
import { FakeSession } from './support/fake-source.js';
import { issueTokens, makeJwt } from './support/jwt.js';
import { until } from './support/time.js';

/**
 * What Hermes lacks: `TextDecoder` before React Native 0.88, `atob`, `btoa` and `TextEncoder`
 * before 0.74, `Buffer` always. (test/hermes runs the packed package on Hermes itself.)
 */
function withoutDecoders(): void {
  for (const name of ['TextDecoder', 'TextEncoder', 'atob', 'btoa', 'Buffer']) vi.stubGlobal(name, undefined);
}
afterEach(() => {
  vi.unstubAllGlobals();
});

const decode = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

describe('without TextDecoder, TextEncoder, atob, btoa or Buffer (Hermes)', () => {
  it('reads the claims of a JWT, non-ASCII ones included, and nothing of a malformed one', () => {
    const tokens = [
      makeJwt({ n: 1, sub: 'Zoë 東京 😀', exp: 2_000_000_000, iat: 1_999_996_400 }),
      makeJwt({ n: 2, sub: 'a' }),
      makeJwt({ n: 3, sub: 'ab', use: 'access', client: 'c' }),
    ];
    const expected = tokens.map((token) => decode(token.split('.')[1] ?? ''));
    const malformed = ['x.%%%.y', `x.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.y`, 'x.bnVsbA.y', 'no-dots'];
    withoutDecoders();
    expect(tokens.map((token) => readClaims(token))).toEqual([
      { sub: 'Zoë 東京 😀', exp: 2_000_000_000, iat: 1_999_996_400, client: 'client-1' },
      { sub: 'a', exp: undefined, iat: undefined, client: 'client-1' },
      { sub: 'ab', exp: undefined, iat: undefined, client: 'c' },
    ]);
    expect(expected.map((claims) => (claims as { sub: string }).sub)).toEqual(['Zoë 東京 😀', 'a', 'ab']);
    for (const token of malformed) expect(readClaims(token)).toEqual({ sub: undefined, exp: undefined, iat: undefined, client: undefined });
  });

  it('serves a user who signs in while the app runs (Amplify v6 adapter): the token goes out, no logout', async () => {
    const amplify = new FakeAmplifyV6();
    const server = createApi();
    withoutDecoders();
    server.once('/before', () => [200, {}]);
    const auth = installAmplifyAuth(server.api, { source: fromFetchAuthSession(amplify.fetchAuthSession, amplify.Hub) });
    const events = observe(auth);
    await server.api.get('/before');
    // Sign-in while the app runs, as Amplify announces it: Hub `signedIn` with the user's `sub`.
    const user = 'Zoë 東京';
    (amplify as unknown as { stored: unknown }).stored = issueTokens(1, 3600, Date.now(), user);
    for (const listener of (amplify as unknown as { listeners: Set<(c: object) => void> }).listeners) {
      listener({ payload: { event: 'signedIn', data: { userId: user, username: 'zoe' } } });
    }
    await expect(server.api.get('/after')).resolves.toMatchObject({ status: 200 });
    expect(server.attempts.map((attempt) => attempt.authorization !== undefined)).toEqual([false, true]);
    expect(events.logout).not.toHaveBeenCalled();
  });

  it('refreshes a token that is about to expire before sending it, with no 401 first', async () => {
    const session = new FakeSession();
    // Issued 70 s ago, for 100 s: 30 s left, within the 50 s leeway (half its lifetime).
    session.lifetimeSeconds = 100;
    session.serverNow = () => Date.now() - 70_000;
    session.signIn();
    session.serverNow = () => Date.now();
    const server = createApi();
    withoutDecoders();
    const auth = installAmplifyAuth(server.api, { source: session.source, leewaySeconds: 60 });
    const events = observe(auth);
    await server.api.get('/x');
    expect(events.refresh).toHaveBeenCalledWith({ trigger: 'expiring' });
    expect(server.attempts.map((attempt) => attempt.authorization)).toHaveLength(1);
  });

  it('createTestSource issues readable tokens', async () => {
    withoutDecoders();
    const source = createTestSource({ user: 'Zoë 東京 😀', clientId: 'app' });
    const tokens = await source.getTokens({ forceRefresh: false });
    expect(readClaims(tokens?.idToken ?? '')).toMatchObject({ sub: 'Zoë 東京 😀', client: 'app' });
    vi.unstubAllGlobals();
    expect(decode(tokens?.accessToken.split('.')[1] ?? '')).toMatchObject({ sub: 'Zoë 東京 😀', client_id: 'app', token_use: 'access' });
  });

  it("takes a token whose `sub` cannot be read as the signed-in user's, not another user's", async () => {
    const opaque = 'opaque-token';
    const source = fromFetchAuthSession(
      async () => ({ tokens: { idToken: { toString: () => opaque }, accessToken: { toString: () => opaque } } }),
      {
        listen: (_channel, callback) => {
          queueMicrotask(() => callback({ payload: { event: 'signedIn', data: { userId: 'alice' } } }));
          return () => {};
        },
      },
    );
    const server = createApi();
    server.once('/x', () => [200, {}]);
    const auth = installAmplifyAuth(server.api, { source });
    const events = observe(auth);
    await Promise.resolve();
    await expect(server.api.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(server.attempts[0]?.authorization).toBe(`Bearer ${opaque}`);
    expect(events.logout).not.toHaveBeenCalled();
  });
});

/** The `abort-controller` polyfill of React Native 0.74–0.82: its signals have no `reason`. */
const NativeAbortController = AbortController;
class ReasonlessAbortController {
  readonly #controller = new NativeAbortController();
  readonly signal = new Proxy(this.#controller.signal, {
    get: (target, key) => {
      const value: unknown = Reflect.get(target, key, target);
      return key === 'reason' ? undefined : typeof value === 'function' ? value.bind(target) : value;
    },
  });
  abort(): void {
    this.#controller.abort();
  }
}

describe('a refresh abandoned at a session change', () => {
  for (const [runtime, controller] of [
    ['an AbortController whose signals have no reason', ReasonlessAbortController],
    ['no AbortController at all', undefined],
  ] as const) {
    it(`rejects its requests with SESSION_CHANGED, with ${runtime}`, async () => {
      vi.stubGlobal('AbortController', controller);
      const session = new FakeSession();
      session.signIn();
      const server = createApi();
      const auth = installAmplifyAuth(server.api, { source: session.source });
      const events = observe(auth);
      await server.api.get('/first');
      session.refreshOutcome = { kind: 'hang' };
      server.rejectCurrentTokens(session.serial);
      const request = server.api.get('/x').catch((error: unknown) => error);
      await until(() => session.refreshes === 1, 'the refresh is under way');
      session.signIn('someone-else');
      const error = await request;
      expect(isAmplifyAuthError(error) && error.code).toBe('SESSION_CHANGED');
      expect(events.logout).not.toHaveBeenCalled();
    });
  }

  it('keeps the reason of an abandonment where the signal keeps none', () => {
    vi.stubGlobal('AbortController', undefined);
    const abandonment = new Abandonment();
    const heard = vi.fn();
    abandonment.signal.addEventListener('abort', heard);
    const reason = new Error('left');
    abandonment.abort(reason);
    abandonment.abort(new Error('again'));
    expect([abandonment.signal.aborted, abandonment.reason, heard.mock.calls.length]).toEqual([true, reason, 1]);
  });
});
