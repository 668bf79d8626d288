// What the test app checks, with the packed package as an app installs it: the public entries
// `axios-amplify-auth/core` and `axios-amplify-auth/testing`, nothing of the sources.
import axios from 'axios';
import {
  fromFetchAuthSession,
  installAmplifyAuth,
  isAmplifyAuthError,
  type AmplifyAuthOptions,
  type SessionTokens,
  type TokenSource,
} from 'axios-amplify-auth/core';
import { createTestSource } from 'axios-amplify-auth/testing';
import { apiOrigin, claimsOf, cognitoSource, createApi, FakeAmplify, FakeCognito, type User } from './fakes';
import { describe, expect, observe, runChecks, settle, short, until, type Check } from './harness';

const alice: User = { sub: '6a1c2b9e-0d4f-4e51-9c3a-2f8b7e1d0a11', username: 'alice', name: 'Alice Example' };
const bob: User = { sub: '0b7e2c44-91aa-4c3e-8f21-5d6e7f809a22', username: 'bob', name: 'Bob Example' };
const carol: User = { sub: 'c4a9d1e2-7b3f-4a60-b2c8-9e0f1a2b3c33', username: 'carol', name: 'Carol Example' };
/** Non-ASCII claims: a JWT reader that is not UTF-8 through and through misreads them. */
const zoe: User = { sub: '2f4e6d8c-aa11-4b22-8c33-d44e55f66a44', username: 'zoe', name: 'Zoë 東京 🚀' };
/** A user whose `sub` itself is not ASCII (a custom or federated pool): Hub's `userId` must match what the plugin reads. */
const tokyo: User = { sub: 'zoë-東京-🚀-8b1c', username: 'zoe.tokyo', name: 'Zoë 東京' };

const bearer = (tokens: SessionTokens | undefined): string | undefined => (tokens ? `Bearer ${tokens.idToken}` : undefined);

/** An axios instance on the in-memory API, with the plugin installed on `source` and every event recorded. */
function setup(source: TokenSource, refusal: (token: string) => string | undefined, options: Omit<AmplifyAuthOptions, 'source'> = {}) {
  const server = createApi(refusal);
  const api = axios.create({ baseURL: apiOrigin, adapter: server.adapter });
  const auth = installAmplifyAuth(api, { source, refreshTimeoutMs: 3000, ...options });
  return { api, auth, server, events: observe(auth) };
}

/** A check with its own Cognito, whose install is removed afterwards. */
function check(name: string, run: (cognito: FakeCognito, cleanup: (stop: () => void) => void) => Promise<void>): Check {
  return {
    name,
    async run() {
      const stops: Array<() => void> = [];
      try {
        await run(new FakeCognito(), (stop) => stops.push(stop));
      } finally {
        for (const stop of stops) stop();
      }
    },
  };
}

function amplifySetup(cognito: FakeCognito, amplify: FakeAmplify) {
  return setup(fromFetchAuthSession(amplify.fetchAuthSession, amplify.hub), (token) => cognito.refusal(token));
}

export const checks: Check[] = [
  check('the token is attached', async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth, server } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    const response = await api.get('/me');
    const [attempt] = server.attemptsOf('/me');
    expect(attempt?.authorization === bearer(state.tokens), `sent ${short(attempt?.authorization)}, not the ID token`);
    expect(response.status === 200, `answered ${response.status}`);
  }),

  check('a 401 → one refresh and one retry with the new token', async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth, server, events } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    await api.get('/warm');
    const old = state.tokens;
    cognito.reject(old);
    const response = await api.get('/orders');
    const attempts = server.attemptsOf('/orders');
    expect(response.status === 200, `answered ${response.status}`);
    expect(attempts.length === 2, `${attempts.length} attempts`);
    expect(attempts[0]!.authorization === bearer(old) && attempts[0]!.status === 401, 'the first attempt did not carry the rejected token');
    expect(
      attempts[1]!.authorization === bearer(state.tokens) && bearer(state.tokens) !== bearer(old),
      'the retry did not carry the new token',
    );
    expect(state.refreshes === 1, `${state.refreshes} refreshes`);
    expect(events.refresh.join() === 'unauthorized', `refresh events: [${events.refresh.join()}]`);
  }),

  check('20 concurrent 401s → one refresh, every request retried once', async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth, server, events } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    await api.get('/warm');
    cognito.reject(state.tokens);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/storm/${i}`)));
    expect(
      responses.every((response) => response.status === 200),
      `statuses ${responses.map((response) => response.status).join()}`,
    );
    expect(state.refreshes === 1, `${state.refreshes} refreshes for 20 concurrent 401s`);
    for (let i = 0; i < 20; i++) {
      const attempts = server.attemptsOf(`/storm/${i}`);
      expect(attempts.length === 2, `/storm/${i}: ${attempts.length} attempts`);
      expect(attempts[1]!.authorization === bearer(state.tokens), `/storm/${i}: the retry did not carry the new token`);
    }
    expect(events.refresh.join() === 'unauthorized', `refresh events: [${events.refresh.join()}]`);
  }),

  check('a URL that is not allowed gets no token', async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth, server, events } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    const elsewhere = [
      'https://evil.example.net/steal',
      'https://api.example.com.evil.net/steal',
      'http://api.example.com/steal',
      'https://api.example.com:8443/steal',
      'https://api.example.com@evil.net/steal',
    ];
    for (const url of elsewhere) await api.get(url);
    await api.get('/mine');
    for (const attempt of server.attempts.filter((entry) => !entry.url.endsWith('/mine'))) {
      expect(attempt.authorization === undefined, `${attempt.url} got ${short(attempt.authorization)}`);
    }
    expect(server.attemptsOf('/mine')[0]?.authorization === bearer(state.tokens), 'the allowed request got no token');
    const notAllowed = events.skip.filter((reason) => reason === 'not-allowed').length;
    expect(notAllowed === elsewhere.length, `${notAllowed} 'not-allowed' skips for ${elsewhere.length} requests`);
  }),

  check("an expiring token is refreshed before sending ('expiring', no 401 first)", async (cognito, cleanup) => {
    // Expires in 30 s, within the default leeway of 60 s; Zoë's name is not ASCII.
    const { source, state } = cognitoSource(cognito, zoe, { expiresInSeconds: 30 });
    const expiring = state.tokens;
    const { api, auth, server, events } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    const response = await api.get('/profile');
    const attempts = server.attemptsOf('/profile');
    expect(events.refresh.join() === 'expiring', `refresh events: [${events.refresh.join()}] (the token's exp was not seen)`);
    expect(attempts.length === 1 && attempts[0]!.status === 200, `attempts: ${attempts.map((attempt) => attempt.status).join()}`);
    expect(attempts[0]!.authorization === bearer(state.tokens) && bearer(state.tokens) !== bearer(expiring), 'the expiring token was sent');
    expect(response.status === 200, `answered ${response.status}`);
  }),

  check('a revoked session fires logout once; every waiting request rejects with SESSION_ENDED', async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth, events } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    await api.get('/warm');
    state.revoke('revoked');
    cognito.reject(state.tokens);
    const outcomes = await Promise.all([1, 2, 3].map((i) => settle(api.get(`/after-revoke/${i}`))));
    for (const outcome of outcomes) {
      const error = outcome.ok ? outcome.value : outcome.error;
      expect(
        !outcome.ok && isAmplifyAuthError(error) && error.code === 'SESSION_ENDED' && (error as { reason?: unknown }).reason === 'revoked',
        `a request settled with ${describe(error)}`,
      );
    }
    const later = await settle(api.get('/later'));
    expect(
      !later.ok && axios.isAxiosError(later.error) && later.error.response?.status === 401,
      `a later request: ${describe(later.ok ? later.value : later.error)}`,
    );
    expect(events.logout.join() === 'revoked', `logout events: [${events.logout.join()}]`);
  }),

  check(
    'Amplify v6 (fromFetchAuthSession + Hub): signed in at launch; a 401 refreshes through fetchAuthSession',
    async (cognito, cleanup) => {
      const amplify = new FakeAmplify(cognito);
      amplify.signIn(alice, { silently: true }); // a stored session: Hub said nothing since launch
      const { api, auth, server, events } = amplifySetup(cognito, amplify);
      cleanup(auth.uninstall);
      const first = amplify.currentTokens;
      await api.get('/me');
      expect(server.attemptsOf('/me')[0]?.authorization === bearer(first), `sent ${short(server.attemptsOf('/me')[0]?.authorization)}`);
      cognito.reject(first);
      const response = await api.get('/orders');
      const attempts = server.attemptsOf('/orders');
      expect(response.status === 200 && attempts.length === 2, `answered ${response.status} after ${attempts.length} attempts`);
      expect(attempts[1]!.authorization === bearer(amplify.currentTokens), 'the retry did not carry the refreshed token');
      expect(amplify.forcedRefreshes === 1, `${amplify.forcedRefreshes} forced refreshes`);
      expect(events.logout.length === 0, `logout events: [${events.logout.join()}]`);
      auth.uninstall();
      expect(amplify.hub.size === 0, `${amplify.hub.size} Hub listeners left after uninstall`);
    },
  ),

  check('Amplify v6: a user who signs in while the app runs gets a token (no SESSION_CHANGED, no logout)', async (cognito, cleanup) => {
    const amplify = new FakeAmplify(cognito);
    const { api, auth, server, events } = amplifySetup(cognito, amplify);
    cleanup(auth.uninstall);
    const before = await settle(api.get('/public'));
    expect(server.attemptsOf('/public')[0]?.authorization === undefined, 'a token went out while nobody was signed in');
    expect(!before.ok && events.skip.includes('signed-out'), `signed out: ${describe(before.ok ? before.value : before.error)}`);
    amplify.signIn(bob);
    const after = await settle(api.get('/me'));
    expect(
      after.ok,
      `the first request after the sign-in rejected with ${describe(after.ok ? undefined : after.error)}; logout events: [${events.logout.join()}]`,
    );
    expect(server.attemptsOf('/me')[0]?.authorization === bearer(amplify.currentTokens), "it did not carry Bob's token");
    expect(events.logout.length === 0, `logout events: [${events.logout.join()}]`);
  }),

  check("Amplify v6: a sign-out, then another user's sign-in: the request carries the new user's token", async (cognito, cleanup) => {
    const amplify = new FakeAmplify(cognito);
    amplify.signIn(alice, { silently: true });
    const { api, auth, server, events } = amplifySetup(cognito, amplify);
    cleanup(auth.uninstall);
    await api.get('/as-alice');
    amplify.signOut();
    const signedOut = await settle(api.get('/signed-out'));
    expect(server.attemptsOf('/signed-out')[0]?.authorization === undefined, 'a token went out after the sign-out');
    expect(!signedOut.ok && server.attemptsOf('/signed-out').length === 1, 'the signed-out 401 was retried');
    amplify.signIn(carol);
    const asCarol = await settle(api.get('/as-carol'));
    expect(
      asCarol.ok,
      `the request after Carol's sign-in rejected with ${describe(asCarol.ok ? undefined : asCarol.error)}; logout events: [${events.logout.join()}]`,
    );
    const sent = server.attemptsOf('/as-carol')[0]?.authorization;
    expect(sent === bearer(amplify.currentTokens) && claimsOf(sent!.slice(7))?.sub === carol.sub, `sent ${short(sent)}, not Carol's token`);
    expect(events.logout.length === 0, `logout events: [${events.logout.join()}]`);
  }),

  check('Amplify v6: a revoked refresh token fires logout once (reason revoked)', async (cognito, cleanup) => {
    const amplify = new FakeAmplify(cognito);
    amplify.signIn(alice, { silently: true });
    const { api, auth, events } = amplifySetup(cognito, amplify);
    cleanup(auth.uninstall);
    await api.get('/warm');
    amplify.revokeRefreshToken();
    cognito.reject(amplify.currentTokens);
    const outcomes = await Promise.all([1, 2, 3].map((i) => settle(api.get(`/after-revoke/${i}`))));
    for (const outcome of outcomes) {
      const error = outcome.ok ? outcome.value : outcome.error;
      expect(!outcome.ok && isAmplifyAuthError(error) && error.code === 'SESSION_ENDED', `a request settled with ${describe(error)}`);
    }
    expect(events.logout.join() === 'revoked', `logout events: [${events.logout.join()}]`);
  }),

  check("Amplify v6: a user whose sub is not ASCII signs in while the app runs (the JWT's UTF-8 read right)", async (cognito, cleanup) => {
    const amplify = new FakeAmplify(cognito);
    const { api, auth, server, events } = amplifySetup(cognito, amplify);
    cleanup(auth.uninstall);
    amplify.signIn(tokyo);
    const outcome = await settle(api.get('/me'));
    expect(outcome.ok, `rejected with ${describe(outcome.ok ? undefined : outcome.error)}; logout events: [${events.logout.join()}]`);
    expect(server.attemptsOf('/me')[0]?.authorization === bearer(amplify.currentTokens), 'it did not carry the token');
    expect(events.logout.length === 0, `logout events: [${events.logout.join()}]`);
  }),

  check(
    'createTestSource (axios-amplify-auth/testing): sign in, the request carries its token, revoke → logout',
    async (_cognito, cleanup) => {
      const source = createTestSource({ user: null, lifetimeSeconds: 600 });
      const rejected = new Set<string>();
      const refusal = (token: string): string | undefined =>
        rejected.has(token) ? 'rejected' : token === source.tokens?.idToken ? undefined : "not the test source's current token";
      const { api, auth, server, events } = setup(source, refusal);
      cleanup(auth.uninstall);
      const tokens = source.signIn('tess-Zoë-東京');
      const response = await api.get('/me');
      expect(
        response.status === 200 && server.attemptsOf('/me')[0]?.authorization === bearer(tokens),
        'the request did not carry its token',
      );
      expect(claimsOf(tokens.idToken)?.sub === 'tess-Zoë-東京', `the token's sub reads ${String(claimsOf(tokens.idToken)?.sub)}`);
      source.revoke('revoked');
      rejected.add(tokens.idToken);
      const outcome = await settle(api.get('/after-revoke'));
      const error = outcome.ok ? outcome.value : outcome.error;
      expect(!outcome.ok && isAmplifyAuthError(error) && error.code === 'SESSION_ENDED', `settled with ${describe(error)}`);
      expect(events.logout.join() === 'revoked', `logout events: [${events.logout.join()}]`);
      expect(source.refreshes === 1, `${source.refreshes} refreshes`);
    },
  ),

  check("a refresh (after a 401) abandoned at a session change rejects with the plugin's SESSION_CHANGED", async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth, events } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    await api.get('/warm');
    state.hangNextRefresh();
    cognito.reject(state.tokens);
    const waiting = settle(api.get('/waits'));
    await until(() => state.refreshes === 1, 'the forced refresh');
    state.change(); // a sign-in or sign-out elsewhere in the app: the refresh in flight is abandoned
    const outcome = await waiting;
    const error = outcome.ok ? outcome.value : outcome.error;
    expect(
      !outcome.ok && isAmplifyAuthError(error) && error.code === 'SESSION_CHANGED',
      `the waiting request settled with ${describe(error)}`,
    );
    expect(events.logout.length === 0, `logout events: [${events.logout.join()}]`);
  }),

  check("a refresh (expiring token) abandoned at a session change rejects with the plugin's SESSION_CHANGED", async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, zoe, { expiresInSeconds: 30 });
    state.hangNextRefresh();
    const { api, auth } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    const waiting = settle(api.get('/waits'));
    await until(() => state.refreshes === 1, 'the forced refresh of the expiring token (no refresh: its exp was not read)', 500);
    state.change();
    const outcome = await waiting;
    const error = outcome.ok ? outcome.value : outcome.error;
    expect(
      !outcome.ok && isAmplifyAuthError(error) && error.code === 'SESSION_CHANGED',
      `the waiting request settled with ${describe(error)}`,
    );
  }),

  check(
    'a refresh that hangs fails with REFRESH_TIMEOUT after refreshTimeoutMs, not before (timers honour their delay)',
    async (cognito, cleanup) => {
      const { source, state } = cognitoSource(cognito, alice);
      const { api, auth, events } = setup(source, (token) => cognito.refusal(token), { refreshTimeoutMs: 300 });
      cleanup(auth.uninstall);
      await api.get('/warm');
      state.hangNextRefresh();
      cognito.reject(state.tokens);
      const sentAt = Date.now();
      const outcome = await settle(api.get('/hangs'));
      const took = Date.now() - sentAt;
      const error = outcome.ok ? outcome.value : outcome.error;
      expect(!outcome.ok && isAmplifyAuthError(error) && error.code === 'REFRESH_TIMEOUT', `settled with ${describe(error)}`);
      expect(took >= 300 && took < 2000, `rejected after ${took} ms for a timeout of 300 ms`);
      expect(
        events.refreshError.length === 1 && events.logout.length === 0,
        `refreshError: [${events.refreshError.join()}], logout: [${events.logout.join()}]`,
      );
    },
  ),

  check('a request aborted (AbortController) while it waits for a refresh rejects at once with CanceledError', async (cognito, cleanup) => {
    const { source, state } = cognitoSource(cognito, alice);
    const { api, auth } = setup(source, (token) => cognito.refusal(token));
    cleanup(auth.uninstall);
    await api.get('/warm');
    state.hangNextRefresh();
    cognito.reject(state.tokens);
    const controller = new AbortController();
    const waiting = settle(api.get('/slow', { signal: controller.signal }));
    await until(() => state.refreshes === 1, 'the forced refresh');
    const abortedAt = Date.now();
    controller.abort();
    const outcome = await waiting;
    const error = outcome.ok ? outcome.value : outcome.error;
    expect(!outcome.ok && axios.isCancel(error), `settled with ${describe(error)}`);
    expect(Date.now() - abortedAt < 1000, `took ${Date.now() - abortedAt} ms after the abort`);
  }),
];

export function main(): Promise<void> {
  return runChecks(checks);
}
