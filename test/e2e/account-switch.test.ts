import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// The built package, as a user gets it; it loads the same Amplify singleton as this file.
import { type AmplifyAuth, installAmplifyAuth, isAmplifyAuthError, type LogoutReason } from 'axios-amplify-auth';
import type { LocalUser, RefreshHold } from '../harness/cognito.js';
import type { ApiRequest, HeldAnswer } from '../harness/protected-api.js';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';
import { within as withinMs } from '../support/within.js';
import { delay } from '../support/time.js';

/**
 * Account switches against the real Amplify v6 and the local Cognito, with two users: user A's
 * refresh (or A's request at the API) is held while the app signs A out and signs B in. The
 * contract (docs/failure-behaviour.md, "Switching users"): a request belongs to the session current when the plugin
 * starts to get its token; what waits in A's session rejects with SESSION_CHANGED and is not
 * sent; B is served at once with B's own token, without waiting for A's refresh; `logout` fires
 * only for a session that ended.
 *
 * One world and one Amplify.configure for the file (as in an app); 20 s tokens, so that the
 * leeway (capped at half the lifetime: 10 s) can be reached within a test.
 */
const tokenSeconds = 20;
const leewayMs = (tokenSeconds / 2) * 1000;
/** How long "at once" may take: generous, so that a slow machine cannot flake a test. */
const promptlyMs = 3000;

let world: LocalWorld;
let A: LocalUser;
let B: LocalUser;
const subs = new Map<string, string>(); // sub → username
let api: AxiosInstance | undefined;
let auth: AmplifyAuth | undefined;
let logouts: LogoutReason[];
const holds: Array<RefreshHold | HeldAnswer> = [];

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** `promise`, or a rejection naming `what` when it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, what: string, ms = promptlyMs): Promise<T> => withinMs(promise, what, ms);

/** True when `promise` has not settled after a few turns of the event loop. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise((resolve) => setTimeout(() => resolve(marker), 50)),
  ]);
  return winner === marker;
}

const userOf = (token: string | undefined): string | undefined =>
  token ? (subs.get(String(decodeJwt(token).sub)) ?? `unknown:${String(decodeJwt(token).sub)}`) : undefined;
const usersSeen = (records: readonly ApiRequest[]) => records.map((r) => `${r.path} ${userOf(r.token) ?? 'none'} ${r.status}`);

async function currentUser(): Promise<string | undefined> {
  return userOf((await fetchAuthSession()).tokens?.idToken?.toString());
}

async function signInAs(user: LocalUser): Promise<void> {
  await signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  const token = (await fetchAuthSession()).tokens?.idToken?.toString();
  if (!token) throw new Error(`no token after signing in ${user.username}`);
  subs.set(String(decodeJwt(token).sub), user.username);
}

/** Resolves at Amplify's next Hub `auth` event named `event`. */
function nextHubEvent(event: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = Hub.listen('auth', ({ payload }) => {
      if (payload.event !== event) return;
      stop();
      resolve();
    });
  });
}

/** A signed in, the plugin installed on a fresh instance, and one call of A's accepted. */
async function setupA(): Promise<{ api: AxiosInstance; auth: AmplifyAuth }> {
  await signOut().catch(() => {});
  world.cognito.refreshFault = undefined;
  world.api.rejectIssuedBefore(0);
  await signInAs(A);
  api = axios.create({ baseURL: world.api.url });
  auth = installAmplifyAuth(api, { refreshTimeoutMs: 15_000 });
  logouts = [];
  auth.on('logout', ({ reason }) => logouts.push(reason));
  await expect(api.get('/a/warm')).resolves.toMatchObject({ status: 200, data: { user: A.username } });
  return { api, auth };
}

function expectSessionChanged(outcome: Settled<unknown>): void {
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(isAmplifyAuthError(error), String(error)).toBe(true);
  expect(error).toMatchObject({ code: 'SESSION_CHANGED' });
}

/** No record from `from` on carries A's token; every record of an A path carries A's or none. */
function expectNoTokenCrossed(from: number): void {
  const after = world.api.requests.slice(from);
  expect(
    after.filter((r) => userOf(r.token) === A.username),
    usersSeen(after).join('\n'),
  ).toEqual([]);
  const ofA = world.api.requests.filter((r) => r.path.startsWith('/a/'));
  for (const record of ofA) expect([A.username, undefined]).toContain(userOf(record.token));
  const ofB = world.api.requests.filter((r) => r.path.startsWith('/b/'));
  for (const record of ofB) expect([B.username, undefined]).toContain(userOf(record.token));
}

beforeAll(async () => {
  world = await startLocalWorld({ tokenSeconds });
  A = { username: world.cognito.username, password: world.cognito.password };
  B = world.cognito.secondUser;
  Amplify.configure(world.amplifyConfig);
}, 30_000);

afterEach(async () => {
  auth?.uninstall();
  auth = undefined;
  for (const hold of holds.splice(0)) hold.release();
  // Let a released refresh land before the next test signs in again.
  await delay(200);
});

afterAll(async () => {
  await signOut().catch(() => {});
  await world?.stop();
});

describe('account switch against real Amplify v6: A signs out and B signs in while A’s refresh is held', () => {
  it('401-driven refresh of A held across the switch: A’s request rejects SESSION_CHANGED, B is served at once with B’s token, A’s late tokens are refused', async () => {
    const { api } = await setupA();
    await world.rejectCurrentTokens(); // A's token is rejected from now on; B's (issued later) passes
    const hold = world.cognito.holdNextRefresh();
    holds.push(hold);
    const refreshesBefore = world.cognito.refreshCalls;

    const aWaiting = settle(api.get('/a/waiting'));
    await within(hold.arrived, 'A’s 401-driven refresh reaching Cognito');
    await within(hold.answered, 'Cognito answering A’s refresh (the answer is held)');
    expect(await pending(aWaiting)).toBe(true);

    const switchAt = world.api.requests.length;
    await signOut();
    // A's waiting request is of a session left behind: it rejects at once, before A's refresh answers.
    expectSessionChanged(await within(aWaiting, 'A’s waiting request after signOut'));

    const signedOut = await within(settle(api.get('/signed-out')), 'a request while signed out');
    expect(signedOut.ok).toBe(false);
    expect(
      isAxiosError((signedOut as { error: unknown }).error) &&
        (signedOut as { error: { response?: { status: number } } }).error.response?.status,
    ).toBe(401);

    await signInAs(B);
    expect(await currentUser()).toBe(B.username);
    const bResults = await within(Promise.all([1, 2, 3].map((i) => api.get(`/b/${i}`))), 'B’s requests while A’s refresh is still held');
    expect(bResults.map((r) => [r.status, (r.data as { user: string }).user])).toEqual([
      [200, B.username],
      [200, B.username],
      [200, B.username],
    ]);
    expect(hold.released).toBe(false);
    expect(logouts).toEqual([]);

    // A's refresh answers now, after the switch.
    const refreshed = nextHubEvent('tokenRefresh');
    hold.release();
    await within(hold.delivered, 'A’s refresh answer delivered');
    await within(refreshed, 'Amplify storing A’s late tokens');
    // What Amplify 6.22.1 does: it writes A's late tokens over B's session.
    expect(await currentUser()).toBe(A.username);

    // The adapter refuses A's tokens as B's: the next request is not sent, logout once.
    const afterRelease = await within(settle(api.get('/b/after-release')), 'B’s request after A’s late write');
    expectSessionChanged(afterRelease);
    expect(logouts).toEqual(['session-ended']);
    const again = await within(settle(api.get('/b/after-release-2')), 'the next request');
    expectSessionChanged(again);
    expect(logouts).toEqual(['session-ended']);

    const seen = world.api.requests.slice(switchAt);
    // B's three requests run concurrently: the API may see them in any order.
    expect(usersSeen(seen).sort()).toEqual(['/signed-out none 401', ...[1, 2, 3].map((i) => `/b/${i} ${B.username} 200`)].sort());
    expect(world.api.requests.filter((r) => r.path === '/a/waiting').map((r) => r.status)).toEqual([401]); // not retried
    expect(world.cognito.refreshCalls - refreshesBefore).toBe(1);
    expectNoTokenCrossed(switchAt);
  }, 40_000);

  it('leeway refresh of A held across the switch: A’s expiring request is not sent, B is served at once', async () => {
    const { api } = await setupA();
    const token = (await fetchAuthSession()).tokens!.idToken!.toString();
    const expiresAt = Number(decodeJwt(token).exp) * 1000;
    // Wait until A's token is within the leeway (10 s of 20), and not yet within Amplify's own 5 s.
    const waitMs = expiresAt - leewayMs + 300 - Date.now();
    if (waitMs > 0) await delay(waitMs);
    const hold = world.cognito.holdNextRefresh();
    holds.push(hold);
    const refreshesBefore = world.cognito.refreshCalls;
    const triggers: string[] = [];
    auth!.on('refresh', ({ trigger }) => triggers.push(trigger));

    const requestsBefore = world.api.requests.length;
    const aExpiring = settle(api.get('/a/expiring'));
    await within(hold.arrived, 'A’s leeway refresh reaching Cognito');
    expect(await pending(aExpiring)).toBe(true);
    expect(world.api.requests.length).toBe(requestsBefore); // it waits for its token: nothing sent yet

    const switchAt = world.api.requests.length;
    await signOut();
    expectSessionChanged(await within(aExpiring, 'A’s expiring request after signOut'));
    await signInAs(B);
    const bResults = await within(
      Promise.all([1, 2].map((i) => api.get(`/b/leeway-${i}`))),
      'B’s requests while A’s leeway refresh is held',
    );
    expect(bResults.map((r) => r.status)).toEqual([200, 200]);
    expect(hold.released).toBe(false);
    expect(triggers).toEqual([]); // A's refresh never finished for anyone; B needed none
    expect(logouts).toEqual([]);

    const refreshed = nextHubEvent('tokenRefresh');
    hold.release();
    await within(refreshed, 'Amplify storing A’s late tokens');
    expect(await currentUser()).toBe(A.username);
    expectSessionChanged(await within(settle(api.get('/b/leeway-after-release')), 'B’s request after A’s late write'));
    expect(logouts).toEqual(['session-ended']);

    expect(world.api.requests.some((r) => r.path === '/a/expiring')).toBe(false); // never sent
    expect(usersSeen(world.api.requests.slice(switchAt)).sort()).toEqual(
      [`/b/leeway-1 ${B.username} 200`, `/b/leeway-2 ${B.username} 200`].sort(),
    ); // concurrent: any order
    expect(world.cognito.refreshCalls - refreshesBefore).toBe(1);
    expectNoTokenCrossed(switchAt);
  }, 40_000);

  it('a late 401 for A’s slow POST, answered after the switch, is not retried as B', async () => {
    const { api } = await setupA();
    await world.rejectCurrentTokens();
    const slow = world.api.holdNext('/a/slow');
    holds.push(slow);
    const refreshesBefore = world.cognito.refreshCalls;

    const aSlow = settle(api.post('/a/slow', { order: 1 }));
    const arrived = await within(slow.arrived, 'A’s POST reaching the API');
    expect({ user: userOf(arrived.token), status: arrived.status }).toEqual({ user: A.username, status: 401 });

    const switchAt = world.api.requests.length;
    await signOut();
    await signInAs(B);
    const b = await within(api.get('/b/during-slow'), 'B’s request while A’s POST is held');
    expect(b).toMatchObject({ status: 200, data: { user: B.username } });

    slow.release();
    const outcome = await within(aSlow, 'A’s POST after its late 401');
    expectSessionChanged(outcome);
    const error = (outcome as { error: { cause?: unknown } }).error;
    expect(isAxiosError(error.cause) && error.cause.response?.status).toBe(401);

    await within(api.get('/b/after-slow'), 'B’s next request');
    expect(world.api.requests.filter((r) => r.path === '/a/slow').length).toBe(1); // not retried, as B or as anyone
    expect(usersSeen(world.api.requests.slice(switchAt))).toEqual([`/b/during-slow ${B.username} 200`, `/b/after-slow ${B.username} 200`]);
    expect(world.cognito.refreshCalls - refreshesBefore).toBe(0); // no refresh for a session left behind
    expect(logouts).toEqual([]);
    expectNoTokenCrossed(switchAt);
  }, 40_000);
});
