import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAmplifyAuth, isAmplifyAuthError, type LogoutReason, SessionEndedError } from 'axios-amplify-auth';
import type { RefreshFault } from '../harness/cognito.js';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';

/**
 * Every way a refresh can fail, answered by the local Cognito to the real Amplify v6, at
 * concurrency 1 and 50. Prints the table that README's "Failure behaviour" shows.
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
  if (rows.length === faults.length * 2) {
    process.stdout.write(
      `\n| refresh answered by | requests | each request rejects with | event | session | refresh calls to Cognito |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`,
    );
  }
  world.cognito.refreshFault = undefined;
  await signOut().catch(() => {});
  await world?.stop();
});

describe('fault matrix against real Amplify v6', () => {
  describe.each(faults)('refresh answered by: %s', (name, fault, expected) => {
    it.each([1, 50])('at concurrency %i', async (concurrency) => {
      // Amplify may still be retrying the previous case's refresh (its backoff differs by runtime):
      // wait until Cognito has heard nothing for 500 ms (at most 5 s), so that no late answer of it
      // lands in this case.
      for (let quiet = 0, last = world.cognito.refreshCalls, waited = 0; quiet < 500 && waited < 5_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        quiet = world.cognito.refreshCalls === last ? quiet + 100 : 0;
        last = world.cognito.refreshCalls;
      }
      await signOut().catch(() => {});
      world.cognito.refreshFault = undefined;
      world.api.rejectIssuedBefore(0);
      await signIn({ username: world.cognito.username, password: world.cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
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
      const seen = world.api.requests.slice(requestsBefore).map((r) => r.path).sort();
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
      const outcome = 'ends' in expected ? `\`SessionEndedError\`, reason \`${expected.ends}\`` : `\`AmplifyAuthError\` \`${expected.code}\``;
      const event = 'ends' in expected ? `\`logout\` once` : '`refreshError` once';
      rows.push(`| ${name} | ${concurrency} | ${outcome} | ${event} | ${sessionKept ? 'kept' : 'cleared'} | ${refreshCalls} |`);
    }, 30_000);
  });
});
