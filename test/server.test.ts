import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { installAmplifyAuth, SessionEndedError } from '../src/index.js';
import { fromServerContext } from '../src/server.js';
import { createApi } from './support/api.js';
import { issueTokens, userOfToken } from './support/jwt.js';
import { delay } from './support/time.js';

/**
 * Amplify's server-side fetchAuthSession as @aws-amplify/adapter-nextjs behaves: it reads the
 * request's cookies, and a forced refresh writes the new tokens to the response only — a later read
 * in the same request still answers the cookie's (old) tokens. A revoked refresh token resolves
 * without tokens and clears the response's cookies.
 */
function serverRequest(user: string, serial: { next: number }) {
  const cookies = { tokens: issueTokens(serial.next++, 3600, Date.now(), user) as ReturnType<typeof issueTokens> | undefined };
  const response: { tokens?: ReturnType<typeof issueTokens> | undefined } = {};
  const calls = { reads: 0, refreshes: 0 };
  let revoked = false;
  const contextSpec = { token: { value: Symbol(user) } };
  const fetchAuthSession = async (context: typeof contextSpec, options?: { forceRefresh?: boolean }) => {
    expect(context).toBe(contextSpec);
    await delay(2);
    if (!options?.forceRefresh) {
      calls.reads += 1;
      return { tokens: cookies.tokens && { idToken: cookies.tokens.idToken, accessToken: cookies.tokens.accessToken } };
    }
    calls.refreshes += 1;
    if (revoked) {
      response.tokens = undefined;
      return { tokens: undefined };
    }
    response.tokens = issueTokens(serial.next++, 3600, Date.now(), user);
    return { tokens: response.tokens };
  };
  return { contextSpec, fetchAuthSession, calls, response, revoke: () => (revoked = true) };
}

describe('fromServerContext (axios-amplify-auth/server)', () => {
  it('retries a 401 with its own refresh, keeps the refreshed tokens for the rest of the request, and writes them to the response', async () => {
    const serial = { next: 1 };
    const request = serverRequest('alice', serial);
    const server = createApi();
    server.rejectCurrentTokens(1);
    const auth = installAmplifyAuth(server.api, { source: fromServerContext(request.fetchAuthSession, request.contextSpec) });
    await expect(server.api.get('/first')).resolves.toMatchObject({ status: 200 });
    await expect(server.api.get('/second')).resolves.toMatchObject({ status: 200 });
    auth.uninstall();
    const sent = server.attempts.map((attempt) => attempt.authorization?.slice(7));
    // The retry and the next request carry the refreshed token, not the cookie's rejected one.
    expect(sent).toEqual([expect.any(String), request.response.tokens?.idToken, request.response.tokens?.idToken]);
    expect(request.calls.refreshes).toBe(1);
  });

  it('keeps 50 users in one process apart: each request its own user’s token, each user one refresh', async () => {
    const serial = { next: 1 };
    const requests = Array.from({ length: 50 }, (_, i) => serverRequest(`user-${i}`, serial));
    const server = createApi();
    server.rejectCurrentTokens(50); // every cookie token is rejected once
    const results = await Promise.all(
      requests.map(async (request, i) => {
        const api = axios.create({ baseURL: 'https://api.example.com', adapter: server.api.defaults.adapter! });
        const auth = installAmplifyAuth(api, { source: fromServerContext(request.fetchAuthSession, request.contextSpec) });
        try {
          const response = await api.get(`/u/${i}`);
          return { status: response.status, user: userOfToken(String(response.config.headers.Authorization).slice(7)) };
        } finally {
          auth.uninstall();
        }
      }),
    );
    expect(results).toEqual(requests.map((_, i) => ({ status: 200, user: `user-${i}` })));
    for (const attempt of server.attempts) {
      const user = attempt.url.replace('/u/', 'user-');
      expect(userOfToken(attempt.authorization?.slice(7) ?? '')).toBe(user);
    }
    expect(requests.map((request) => request.calls.refreshes)).toEqual(requests.map(() => 1));
  });

  it('ends the session when the refresh token is revoked: SessionEndedError and one logout', async () => {
    const serial = { next: 1 };
    const request = serverRequest('alice', serial);
    request.revoke();
    const server = createApi();
    server.rejectCurrentTokens(1);
    const auth = installAmplifyAuth(server.api, { source: fromServerContext(request.fetchAuthSession, request.contextSpec) });
    const logouts: string[] = [];
    auth.on('logout', ({ reason }) => logouts.push(reason));
    await expect(server.api.get('/x')).rejects.toBeInstanceOf(SessionEndedError);
    await server.api.get('/y').catch(() => {});
    expect(server.attemptsOf('/y')[0]?.authorization).toBeUndefined(); // not the dead cookie's token
    expect(logouts).toEqual(['session-ended']);
  });

  it('rejects what is not a server fetchAuthSession and context with a TypeError', () => {
    expect(() => fromServerContext(undefined as never, {})).toThrow(TypeError);
    expect(() => fromServerContext(async () => ({}), undefined as never)).toThrow(TypeError);
  });
});

describe('the default source on a multi-user server', () => {
  const saved = process.env.NEXT_RUNTIME;
  afterEach(() => {
    if (saved === undefined) delete process.env.NEXT_RUNTIME;
    else process.env.NEXT_RUNTIME = saved;
  });

  it('refuses Amplify’s browser session in Next.js’ server runtime, pointing to /server', () => {
    process.env.NEXT_RUNTIME = 'nodejs';
    expect(() => installAmplifyAuth(axios.create())).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining("'axios-amplify-auth/server'") }),
    );
    const request = serverRequest('alice', { next: 1 });
    expect(() =>
      installAmplifyAuth(axios.create(), { source: fromServerContext(request.fetchAuthSession, request.contextSpec) }).uninstall(),
    ).not.toThrow();
  });
});
