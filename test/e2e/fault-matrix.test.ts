import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios from 'axios';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAmplifyAuth, isAmplifyAuthError, type LogoutReason, SessionEndedError } from 'axios-amplify-auth';
import type { RefreshFault } from '../harness/cognito.js';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';
import { within as withinMs } from '../support/within.js';
import { delay, until } from '../support/time.js';

/**
 * Every way a refresh can fail, answered by the local Cognito to the real Amplify v6, at
 * concurrency 1 and 50. Prints the table that docs/failure-behaviour.md shows.
 */
type Expected = { ends: LogoutReason } | { code: 'REFRESH_FAILED' | 'REFRESH_TIMEOUT' };
const error = (status: number, type: string, message: string): RefreshFault => ({ kind: 'error', status, type, message });
const faults: Array<[string, RefreshFault, Expected]> = [
  ['revoked', error(400, 'NotAuthorizedException', 'Refresh Token has been revoked'), { ends: 'revoked' }],
  ['expired', error(400, 'NotAuthorizedException', 'Refresh Token has expired'), { ends: 'expired' }],
  ['user disabled', error(400, 'NotAuthorizedException', 'User is disabled.'), { ends: 'user-disabled' }],
  ['user not found', error(400, 'UserNotFoundException', 'User does not exist.'), { ends: 'user-not-found' }],
  ['refresh-token reuse', error(400, 'RefreshTokenReuseException', 'Refresh token has been reused'), { ends: 'refresh-token-reused' }],
  ['500', error(500, 'InternalErrorException', 'Internal error'), { code: 'REFRESH_FAILED' }],
  ['throttling', error(400, 'TooManyRequestsException', 'Rate exceeded'), { code: 'REFRESH_FAILED' }],
  ['Cognito unreachable', { kind: 'unreachable' }, { code: 'REFRESH_FAILED' }],
  ['Cognito hanging', { kind: 'hang' }, { code: 'REFRESH_TIMEOUT' }],
];
const refreshTimeoutMs = 2000;
let world: LocalWorld;
const rows: string[] = [];

beforeAll(async () => {
  world = await startLocalWorld();
  Amplify.configure(world.amplifyConfig);
});

afterAll(async () => {
  if (rows.length === (faults.length + 1) * 2) {
    process.stdout.write(
      `\n| refresh answered by | requests | each request rejects with | event | session | refresh calls to Cognito |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
    );
  }
  world.cognito.refreshFault = undefined;
  await signOut().catch(() => {});
  await world?.stop();
});

/**
 * Amplify may still be retrying the previous case's refresh (its backoff differs by runtime):
 * waits until Cognito has heard nothing for 500 ms (at most 5 s), so that no late answer of it
 * lands in this case.
 */
async function untilCognitoQuiet(): Promise<void> {
  for (let quiet = 0, last = world.cognito.refreshCalls, waited = 0; quiet < 500 && waited < 5_000; waited += 100) {
    await delay(100);
    quiet = world.cognito.refreshCalls === last ? quiet + 100 : 0;
    last = world.cognito.refreshCalls;
  }
}

/** `promise`, or a rejection naming `what` when it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> => withinMs(promise, what, ms);

describe('fault matrix against real Amplify v6', () => {
  describe.each(faults)('refresh answered by: %s', (name, fault, expected) => {
    it.each([1, 50])(
      'at concurrency %i',
      async (concurrency) => {
        await untilCognitoQuiet();
        await signOut().catch(() => {});
        world.cognito.refreshFault = undefined;
        world.api.rejectIssuedBefore(0);
        await signIn({
          username: world.cognito.username,
          password: world.cognito.password,
          options: { authFlowType: 'USER_PASSWORD_AUTH' },
        });
        const api = axios.create({ baseURL: world.api.url });
        const auth = installAmplifyAuth(api, { refreshTimeoutMs });
        const events: string[] = [];
        auth.on('logout', ({ reason }) => events.push(`logout:${reason}`));
        auth.on('refreshError', () => events.push('refreshError'));
        await api.get('/warm-up');

        world.cognito.refreshFault = fault;
        world.api.rejectIssuedBefore(Date.now() + 3_600_000); // every token is rejected now
        const refreshesBefore = world.cognito.refreshCalls;
        const requestsBefore = world.api.requests.length;
        const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, (_, i) => api.get(`/r/${i}`)));
        const refreshCalls = world.cognito.refreshCalls - refreshesBefore;
        const seen = world.api.requests
          .slice(requestsBefore)
          .map((r) => r.path)
          .sort();
        world.cognito.refreshFault = undefined;
        const sessionKept = (await fetchAuthSession()).tokens !== undefined;
        auth.uninstall();

        // No request lost or duplicated: each reached the API once and was rejected once.
        expect(seen).toEqual(Array.from({ length: concurrency }, (_, i) => `/r/${i}`).sort());
        for (const outcome of outcomes) {
          expect(outcome.status).toBe('rejected');
          const reason = (outcome as PromiseRejectedResult).reason as unknown;
          expect(isAmplifyAuthError(reason)).toBe(true);
          if ('ends' in expected) {
            expect(reason).toBeInstanceOf(SessionEndedError);
            expect(reason).toMatchObject({ reason: expected.ends });
          } else {
            expect(reason).toMatchObject({ code: expected.code });
          }
        }
        if ('ends' in expected) {
          expect(events).toEqual([`logout:${expected.ends}`]);
          expect(sessionKept).toBe(false);
          expect(refreshCalls).toBe(1);
        } else {
          expect(events).toEqual(['refreshError']);
          expect(sessionKept).toBe(true);
          // Amplify retries transient errors itself (3 times); never once per waiting request.
          expect(refreshCalls).toBeGreaterThanOrEqual(1);
          expect(refreshCalls).toBeLessThanOrEqual(4);
        }
        const outcome =
          'ends' in expected ? `\`SessionEndedError\`, reason \`${expected.ends}\`` : `\`AmplifyAuthError\` \`${expected.code}\``;
        const event = 'ends' in expected ? `\`logout\` once` : '`refreshError` once';
        rows.push(`| ${name} | ${concurrency} | ${outcome} | ${event} | ${sessionKept ? 'kept' : 'cleared'} | ${refreshCalls} |`);
      },
      30_000,
    );
  });

  // One more row: the refresh answers late, after the app signed A out and B in. A's waiting
  // requests are of a session left behind; B is served at once with B's own token.
  describe('refresh answer held across signOut + signIn of user B', () => {
    it.each([1, 50])(
      'at concurrency %i',
      async (concurrency) => {
        await untilCognitoQuiet();
        await signOut().catch(() => {});
        world.cognito.refreshFault = undefined;
        world.api.rejectIssuedBefore(0);
        const A = { username: world.cognito.username, password: world.cognito.password };
        const B = world.cognito.secondUser;
        const subOf = (token: string | undefined) => (token ? String(decodeJwt(token).sub) : undefined);
        const idToken = async () => (await fetchAuthSession()).tokens?.idToken?.toString();
        await signIn({ username: A.username, password: A.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
        const subA = subOf(await idToken());
        const api = axios.create({ baseURL: world.api.url });
        const auth = installAmplifyAuth(api, { refreshTimeoutMs });
        const events: string[] = [];
        auth.on('logout', ({ reason }) => events.push(`logout:${reason}`));
        auth.on('refreshError', () => events.push('refreshError'));
        const hold = world.cognito.holdNextRefresh();
        try {
          await api.get('/warm-up');

          await world.rejectCurrentTokens(); // A's tokens are rejected; B's, issued later, pass
          const refreshesBefore = world.cognito.refreshCalls;
          const requestsBefore = world.api.requests.length;
          const waiting = Promise.allSettled(Array.from({ length: concurrency }, (_, i) => api.get(`/r/${i}`)));
          await within(hold.arrived, 'A’s refresh reaching Cognito');
          await within(hold.answered, 'Cognito answering A’s refresh');
          // Every first attempt of A's (sent before the switch) has reached the API: at most 5 s.
          await until(() => world.api.requests.length - requestsBefore >= concurrency, "A's first attempts reached the API");
          const seenBeforeSwitch = world.api.requests
            .slice(requestsBefore)
            .map((r) => r.path)
            .sort();

          const switchAt = world.api.requests.length;
          await signOut();
          await signIn({ username: B.username, password: B.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
          const subB = subOf(await idToken());
          const outcomes = await within(waiting, 'A’s waiting requests after the switch');
          const served = await within(
            Promise.allSettled(Array.from({ length: concurrency }, (_, i) => api.get(`/b/${i}`))),
            'B’s requests while A’s refresh answer is held',
          );
          const released = hold.released;
          const refreshCalls = world.cognito.refreshCalls - refreshesBefore;
          const afterSwitch = world.api.requests.slice(switchAt);
          const sessionKept = subOf(await idToken()) === subB;
          auth.uninstall();

          expect(subA).not.toBe(subB);
          // Each of A's requests reached the API once, was rejected once, and was not retried.
          expect(seenBeforeSwitch).toEqual(Array.from({ length: concurrency }, (_, i) => `/r/${i}`).sort());
          for (const outcome of outcomes) {
            expect(outcome.status).toBe('rejected');
            const reason = (outcome as PromiseRejectedResult).reason as unknown;
            expect(isAmplifyAuthError(reason)).toBe(true);
            expect(reason).toMatchObject({ code: 'SESSION_CHANGED' });
          }
          for (const result of served)
            expect(result).toMatchObject({ status: 'fulfilled', value: { status: 200, data: { user: B.username } } });
          expect(released).toBe(false); // B did not wait for A's refresh
          // After the switch the API saw B's token only, once per request of B's.
          expect(afterSwitch.map((r) => subOf(r.token))).toEqual(Array.from({ length: concurrency }, () => subB));
          expect(afterSwitch.map((r) => r.path).sort()).toEqual(Array.from({ length: concurrency }, (_, i) => `/b/${i}`).sort());
          expect(events).toEqual([]);
          expect(sessionKept).toBe(true);
          expect(refreshCalls).toBe(1);
          rows.push(
            `| held across \`signOut()\` + \`signIn(B)\` | ${concurrency} | \`AmplifyAuthError\` \`SESSION_CHANGED\`; B's ${concurrency} served with B's token | none | ${sessionKept ? "B's, kept" : 'lost'} | ${refreshCalls} |`,
          );
        } finally {
          auth.uninstall();
          // A's late answer lands now (Amplify writes it over B's session); the next case signs in again.
          hold.release();
          await within(hold.delivered, 'A’s late refresh answer');
        }
      },
      30_000,
    );
  });
});
