import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios, { type AxiosInstance } from 'axios';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The source, with the default token source (real Amplify v6, the same singleton as this file's).
import { type AmplifyAuth, installAmplifyAuth, type LogoutReason, SessionEndedError } from '../../src/index.js';
import { target } from '../harness/cognito-local.js';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';
import { delay } from '../support/time.js';

/**
 * Refresh-token rotation with a grace period of 0 (the local Cognito of test/harness/rotation.ts):
 * every refresh answers with a new refresh token and invalidates the one submitted, so a refresh
 * token spent twice ends the session. Real Amplify v6, three axios instances on the default source.
 * One world and one Amplify.configure for the file (as in an app); 8 s tokens, so that expiries can be
 * waited for: the plugin's leeway is then half the lifetime (4 s), and Amplify's own 5 s tolerance
 * comes first — a plain `fetchAuthSession()` refreshes inside Amplify a second before the plugin would.
 */
const tokenSeconds = 8;

let world: LocalWorld;
let apis: AxiosInstance[] = [];
let auths: AmplifyAuth[] = [];
let logouts: Array<{ instance: number; reason: LogoutReason }> = [];
let refreshes: string[] = [];

const ledger = () => {
  const rotation = world.cognito.rotation;
  if (!rotation) throw new Error('the local Cognito does not rotate');
  return rotation;
};
/** How many refresh tokens were spent twice before the test began (the harness's own test spends one on purpose). */
let spentTwiceBefore = 0;
/** The refresh tokens spent twice since the test began. */
const spentTwice = () => ledger().spentTwice.slice(spentTwiceBefore);
/** The spends since `from`, as `outcome` strings: what Cognito saw. */
const spendsSince = (from: number) =>
  ledger()
    .spends.slice(from)
    .map((spend) => spend.outcome);

async function signInAgain(): Promise<void> {
  await signOut().catch(() => {});
  await signIn({ username: world.cognito.username, password: world.cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
}

/** Signed in, three instances installed with defaults (they share the default source), each warmed up. */
async function setup(): Promise<void> {
  await signInAgain();
  apis = [0, 1, 2].map(() => axios.create({ baseURL: world.api.url }));
  auths = apis.map((api) => installAmplifyAuth(api));
  logouts = [];
  refreshes = [];
  auths.forEach((auth, instance) => {
    auth.on('logout', ({ reason }) => logouts.push({ instance, reason }));
    auth.on('refresh', ({ trigger }) => refreshes.push(`${instance}:${trigger}`));
  });
  await Promise.all(apis.map((api, i) => api.get(`/warm/${i}`)));
}

/** `count` requests spread over the three instances, all at once. */
const storm = (name: string, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => apis[i % apis.length]!.get(`/${name}/${i}`).then((r) => r.status)));

beforeAll(async () => {
  world = await startLocalWorld({ tokenSeconds, rotation: { gracePeriodSeconds: 0 } });
  Amplify.configure(world.amplifyConfig);
}, 30_000);

beforeEach(() => {
  spentTwiceBefore = world.cognito.rotation?.spentTwice.length ?? 0;
});

afterEach(() => {
  for (const auth of auths) auth.uninstall();
  auths = [];
  world.api.rejectIssuedBefore(0);
});

afterAll(async () => {
  await signOut().catch(() => {});
  await world?.stop();
});

describe('the rotating local Cognito (grace period 0)', () => {
  const post = async (action: string, body: object) => {
    const response = await fetch(world.cognito.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target(action) },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as {
      AuthenticationResult?: { RefreshToken?: string; IdToken?: string };
      __type?: string;
      message?: string;
    };
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), json };
  };

  it('hands out its own refresh token at sign-in, rotates it on each refresh, refuses a spent one as Cognito does, and revokes a whole family', async () => {
    const { clientId, username, password } = world.cognito;
    const signedIn = await post('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    const first = String(signedIn.json.AuthenticationResult?.RefreshToken);
    expect(first).toMatch(/^rotating\./);

    const refreshed = await post('GetTokensFromRefreshToken', { ClientId: clientId, RefreshToken: first });
    expect(refreshed.status).toBe(200);
    const second = String(refreshed.json.AuthenticationResult?.RefreshToken);
    expect(second).toMatch(/^rotating\./);
    expect(second).not.toBe(first);
    expect(refreshed.json.AuthenticationResult?.IdToken).toEqual(expect.any(String));

    // Spent once already, grace period 0: refused at once.
    const reused = await post('GetTokensFromRefreshToken', { ClientId: clientId, RefreshToken: first });
    expect({ status: reused.status, errorType: reused.errorType, body: reused.json }).toEqual({
      status: 400,
      errorType: 'RefreshTokenReuseException',
      body: { __type: 'RefreshTokenReuseException', message: expect.any(String) },
    });
    expect(ledger().refreshesPerToken.get(first)).toBe(2);
    expect(ledger().spentTwice).toContain(first);

    // InitiateAuth REFRESH_TOKEN_AUTH is refused on a rotating app client.
    const old = await post('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: clientId,
      AuthParameters: { REFRESH_TOKEN: second },
    });
    expect([old.status, old.errorType]).toEqual([400, 'InvalidParameterException']);

    // Revoking the first (already rotated) token revokes the family: the newest is refused too.
    expect((await post('RevokeToken', { ClientId: clientId, Token: first })).status).toBe(200);
    const revoked = await post('GetTokensFromRefreshToken', { ClientId: clientId, RefreshToken: second });
    expect({ status: revoked.status, errorType: revoked.errorType, body: revoked.json }).toEqual({
      status: 400,
      errorType: 'NotAuthorizedException',
      body: { __type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' },
    });
    const unknown = await post('GetTokensFromRefreshToken', { ClientId: clientId, RefreshToken: 'not-a-token' });
    expect(unknown.json).toEqual({ __type: 'NotAuthorizedException', message: 'Invalid Refresh Token.' });
  });
});

describe('real Amplify v6 and three instances on the default source, against a Cognito that rotates (grace period 0)', () => {
  it('storms of 401s on three instances, three times: one refresh each, no refresh token spent twice, no logout', async () => {
    await setup();
    for (let round = 1; round <= 3; round++) {
      await world.rejectCurrentTokens();
      const spends = ledger().spends.length;
      const results = await storm(`storm-${round}`, 60);
      expect(results.every((status) => status === 200)).toBe(true);
      expect(spendsSince(spends), `round ${round}`).toEqual(['rotated']);
    }
    expect(spentTwice()).toEqual([]);
    expect(logouts).toEqual([]);
    expect(refreshes).toHaveLength(3 * 3); // each instance hears each of the three refreshes
  });

  it('three expiries with requests flowing on three instances: one refresh per expiry, no token spent twice, no logout', async () => {
    await setup();
    const spends = ledger().spends.length;
    const exp = (await fetchAuthSession()).tokens!.idToken!.payload.exp! * 1000;
    // Requests every 150 ms on each instance until the third token has entered the leeway (4 s before
    // expiry): at exp − 4 s, exp and exp + 4 s.
    const until = exp + (tokenSeconds / 2) * 1000 + 500;
    const statuses: number[] = [];
    let tick = 0;
    while (Date.now() < until) {
      statuses.push(...(await storm(`flow-${tick++}`, 3)));
      await delay(150);
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Each token enters the leeway 4 s after it was issued: three refreshes, each one rotation.
    expect(spendsSince(spends)).toEqual(['rotated', 'rotated', 'rotated']);
    expect(spentTwice()).toEqual([]);
    expect(logouts).toEqual([]);
    expect(refreshes.every((refresh) => refresh.endsWith(':expiring'))).toBe(true);
  }, 30_000);

  it('a device waking with tokens long expired: 60 requests on three instances and the app’s own fetchAuthSession() at once, one refresh, no token spent twice', async () => {
    await setup();
    const exp = (await fetchAuthSession()).tokens!.accessToken.payload.exp! * 1000;
    // Asleep: nothing runs until the tokens have expired.
    await delay(exp - Date.now() + 500);
    const spends = ledger().spends.length;
    // The app reads the session too as it wakes (a route guard, Amplify UI): Amplify refreshes inside
    // each read of an expired token, and shares the refresh of reads that overlap.
    const [results, own] = await Promise.all([storm('woken', 60), fetchAuthSession(), delay(1).then(() => fetchAuthSession())]);
    expect(results.every((status) => status === 200)).toBe(true);
    expect(own.tokens).toBeDefined();
    expect(spendsSince(spends)).toEqual(['rotated']);
    expect(spentTwice()).toEqual([]);
    expect(logouts).toEqual([]);
  }, 30_000);

  it('the app’s own fetchAuthSession({ forceRefresh: true }) and fetchAuthSession() among 401 storms: no token spent twice, no logout', async () => {
    await setup();
    const rounds: Array<{ offsetMs: number; spends: string[] }> = [];
    // The app's forced refresh starts at several moments of the plugin's refresh: with it, just
    // after it left, while Cognito answers, after Amplify stored the answer.
    for (const offsetMs of [0, 1, 3, 10, 30, 60]) {
      await world.rejectCurrentTokens();
      const spends = ledger().spends.length;
      const [results, forced, read] = await Promise.all([
        storm(`own-${offsetMs}`, 30),
        delay(offsetMs).then(() => fetchAuthSession({ forceRefresh: true })),
        delay(offsetMs + 2).then(() => fetchAuthSession()),
      ]);
      expect(results.every((status) => status === 200)).toBe(true);
      expect([forced.tokens, read.tokens].every(Boolean)).toBe(true);
      rounds.push({ offsetMs, spends: spendsSince(spends) });
    }
    // Each refresh is the plugin's or the app's (or one shared by both), each with the newest token.
    for (const round of rounds)
      expect(
        round.spends.every((outcome) => outcome === 'rotated'),
        JSON.stringify(rounds),
      ).toBe(true);
    expect(spentTwice()).toEqual([]);
    expect(logouts).toEqual([]);
  }, 30_000);

  it('a rotated refresh token spent elsewhere: logout once with refresh-token-reused, every request rejects with SessionEndedError', async () => {
    await setup();
    await world.rejectCurrentTokens();
    // Another device (or a leaked copy) refreshes with the app's current refresh token first.
    expect((await world.cognito.spendRefreshToken()).status).toBe(200);
    const spends = ledger().spends.length;
    const results = await Promise.allSettled(apis.flatMap((api, i) => [1, 2, 3].map((n) => api.get(`/after-theft/${i}/${n}`))));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(SessionEndedError);
      expect((result as PromiseRejectedResult).reason).toMatchObject({ reason: 'refresh-token-reused' });
    }
    expect(spendsSince(spends)).toEqual(['reused']); // the app tried once
    expect(logouts.map((logout) => logout.reason)).toEqual(['refresh-token-reused', 'refresh-token-reused', 'refresh-token-reused']);
    expect(new Set(logouts.map((logout) => logout.instance)).size).toBe(3); // once per instance
    expect((await fetchAuthSession()).tokens).toBeUndefined(); // Amplify cleared the session
  });

  it('a rotated refresh token revoked (a sign-out elsewhere): logout once with revoked on each instance, one refresh attempt', async () => {
    await setup();
    // A refresh first, so that the family's newest token is a rotated one.
    await world.rejectCurrentTokens();
    expect(await storm('rotate-first', 6)).toEqual([200, 200, 200, 200, 200, 200]);
    await world.cognito.revokeRefreshToken();
    await world.rejectCurrentTokens();
    const spends = ledger().spends.length;
    const results = await Promise.allSettled(apis.map((api, i) => api.get(`/after-revoke/${i}`)));
    for (const result of results) expect((result as PromiseRejectedResult).reason).toMatchObject({ reason: 'revoked' });
    expect(spendsSince(spends)).toEqual(['revoked']);
    expect(logouts.map((logout) => logout.reason)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(spentTwice()).toEqual([]);
  });
});
