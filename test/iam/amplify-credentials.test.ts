/**
 * Real Amplify v6 against the local identity pool (test/harness/identity-pool.ts) and a local
 * Cognito user pool: `fetchAuthSession()` hands out identity-pool credentials for a guest and for a
 * signed-in user, `fromAmplifyCredentials` reads them, and requests signed with them pass the
 * aws4 verifier (test/harness/iam-api.ts) until they expire or the identity is revoked.
 */
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { cognitoCredentialsProvider } from 'aws-amplify/auth/cognito';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCredentials, expiresWithin, fromAmplifyCredentials } from '../../src/iam/credentials.js';
import { signatureRejection } from '../../src/iam/sign.js';
import { isSessionEndedError } from '../../src/errors.js';
import type { LocalCognito } from '../harness/cognito.js';
import type { IamApi } from '../harness/iam-api.js';
import { type IamWorld, startIamWorld } from '../harness/iam-world.js';
import type { LocalIdentityPool } from '../harness/identity-pool.js';
import { delay } from '../support/time.js';
import { signedClient } from './signed-client.js';

let world: IamWorld;
let cognito: LocalCognito;
let pool: LocalIdentityPool;
let api: IamApi;

beforeAll(async () => {
  world = await startIamWorld();
  ({ cognito, pool, api } = world);
  Amplify.configure(world.amplifyConfig);
}, 60_000);

afterAll(async () => {
  await signOut().catch(() => {});
  await world?.stop();
});

/** A GET signed with `credentials`, through axios's http adapter. */
function callApi(credentials: AwsCredentials, path = '/whoami') {
  const client = signedClient({ region: pool.region, service: 'execute-api', adapter: 'http', credentials: () => credentials });
  return client.get(`${api.url}${path}`);
}

async function signInAs(user: { username: string; password: string }) {
  await signOut().catch(() => {});
  await signIn({ username: user.username, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
}

describe('Amplify v6 fetchAuthSession() against the local identity pool', () => {
  const source = fromAmplifyCredentials(fetchAuthSession);

  // One Amplify singleton: the steps run in order and build on each other.
  let guestIdentity: string;
  let userIdentity: string;

  it('a guest gets an identity and credentials that the API accepts', async () => {
    const answer = (await source.getCredentials({ forceRefresh: false }))!;
    expect(answer.userSub).toBeUndefined();
    expect(answer.identityId).toBe(pool.guestIdentities[0]);
    expect(answer.credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(answer.credentials.sessionToken).toBeTruthy();
    expect(answer.credentials.expiration).toBeInstanceOf(Date);
    expect(pool.calls).toEqual({ GetId: 1, GetCredentialsForIdentity: 1 });
    guestIdentity = answer.identityId!;

    const response = await callApi(answer.credentials);
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ ok: true, identityId: guestIdentity });
  });

  it('a plain read is served from Amplify’s memory; a forced one asks the pool again', async () => {
    const before = pool.calls.GetCredentialsForIdentity;
    const cached = (await source.getCredentials({ forceRefresh: false }))!;
    expect(pool.calls.GetCredentialsForIdentity).toBe(before);
    const fresh = (await source.getCredentials({ forceRefresh: true }))!;
    expect(pool.calls.GetCredentialsForIdentity).toBe(before + 1);
    expect(fresh.credentials.accessKeyId).not.toBe(cached.credentials.accessKeyId);
    expect(fresh.identityId).toBe(guestIdentity);
  });

  it('a sign-in turns the guest identity into the user’s (Cognito links it), with the user’s sub', async () => {
    // Signed in straight from the guest session (no sign-out first, which would drop the guest id).
    await signIn({ username: cognito.username, password: cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const session = await fetchAuthSession();
    const sub = decodeJwt(session.tokens!.idToken!.toString()).sub!;
    const answer = (await source.getCredentials({ forceRefresh: false }))!;
    expect(answer.userSub).toBe(sub);
    expect(answer.identityId).toBe(pool.identityOf(sub));
    userIdentity = answer.identityId!;
    // Amplify asked with the stored guest id and the user's ID token: the pool linked them.
    expect(userIdentity).toBe(guestIdentity);
    const response = await callApi(answer.credentials);
    expect(response.data).toMatchObject({ ok: true, identityId: userIdentity });
  });

  it('after a sign-out a guest has a new identity; the same user signing in again gets theirs back', async () => {
    await signOut();
    const guest = (await source.getCredentials({ forceRefresh: false }))!;
    expect(guest.userSub).toBeUndefined();
    expect(guest.identityId).not.toBe(userIdentity);
    expect(guest.identityId).toBe(pool.guestIdentities.at(-1));

    await signInAs(cognito);
    const user = (await source.getCredentials({ forceRefresh: false }))!;
    expect(user.identityId).toBe(userIdentity);
    expect((await callApi(user.credentials)).status).toBe(200);
  });

  it('another user signing in gets another identity', async () => {
    await signInAs(cognito.secondUser);
    const other = (await source.getCredentials({ forceRefresh: false }))!;
    expect(other.userSub).toBeDefined();
    expect(other.identityId).toBe(pool.identityOf(other.userSub!));
    expect(other.identityId).not.toBe(userIdentity);
    expect((await callApi(other.credentials)).data).toMatchObject({ identityId: other.identityId });
    await signInAs(cognito);
  });

  it('short-lived credentials: Amplify keeps handing out expired ones (its 50-minute cache); the API refuses them; a forced read renews', async () => {
    pool.credentialsSeconds = 2;
    try {
      const short = (await source.getCredentials({ forceRefresh: true }))!;
      expect(short.credentials.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(2000);
      expect(expiresWithin(short.credentials, 60_000, Date.now())).toBe(true);
      await delay(short.credentials.expiration!.getTime() - Date.now() + 100);

      const stale = (await source.getCredentials({ forceRefresh: false }))!;
      expect(stale.credentials.accessKeyId).toBe(short.credentials.accessKeyId);
      const refused = await callApi(stale.credentials);
      expect(refused.status).toBe(403);
      expect(refused.data).toEqual({ message: 'The security token included in the request is expired' });
      expect(signatureRejection(refused)).toBe('credentials-expired');

      pool.credentialsSeconds = 3600;
      const renewed = (await source.getCredentials({ forceRefresh: true }))!;
      expect(renewed.identityId).toBe(userIdentity);
      expect(expiresWithin(renewed.credentials, 60_000, Date.now())).toBe(false);
      expect((await callApi(renewed.credentials)).status).toBe(200);
    } finally {
      pool.credentialsSeconds = 3600;
    }
  });

  it('forceRefresh also refreshes the user pool tokens; clearCredentials renews the credentials alone', async () => {
    const refreshes = cognito.refreshCalls;
    await source.getCredentials({ forceRefresh: true });
    expect(cognito.refreshCalls).toBe(refreshes + 1);

    const lean = fromAmplifyCredentials(fetchAuthSession, { clearCredentials: () => cognitoCredentialsProvider.clearCredentials() });
    const before = (await lean.getCredentials({ forceRefresh: false }))!;
    const calls = pool.calls.GetCredentialsForIdentity;
    const after = (await lean.getCredentials({ forceRefresh: true }))!;
    expect(cognito.refreshCalls).toBe(refreshes + 1);
    expect(pool.calls.GetCredentialsForIdentity).toBe(calls + 1);
    expect(after.credentials.accessKeyId).not.toBe(before.credentials.accessKeyId);
    expect(after.identityId).toBe(userIdentity);
  });

  it('a revoked identity: the API refuses its credentials, and a refresh ends the session (SessionEndedError)', async () => {
    const current = (await source.getCredentials({ forceRefresh: false }))!;
    pool.revokeIdentity(userIdentity);
    const refused = await callApi(current.credentials);
    expect(refused.status).toBe(403);
    expect(refused.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(signatureRejection(refused)).toBeUndefined();

    const error: unknown = await source.getCredentials({ forceRefresh: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSessionEndedError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'session-ended', cause: { name: 'NotAuthorizedException' } });
    expect((error as { cause: Error }).cause.message).toBe(`Access to Identity '${userIdentity}' is forbidden.`);
  });

  it('a transient identity pool failure stays transient', async () => {
    await signInAs(cognito.secondUser);
    pool.credentialsFault = { status: 400, type: 'TooManyRequestsException', message: 'Rate exceeded' };
    try {
      const error: unknown = await source.getCredentials({ forceRefresh: true }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSessionEndedError(error)).toBe(false);
      expect(error).toMatchObject({ name: 'TooManyRequestsException' });
    } finally {
      pool.credentialsFault = undefined;
    }
    expect((await source.getCredentials({ forceRefresh: true }))?.credentials.accessKeyId).toMatch(/^ASIA/);
  });

  it('a revoked refresh token ends the session (SessionEndedError) until a sign-out; then a guest has another identity', async () => {
    // The second user: the first one's identity was revoked above.
    await signInAs(cognito.secondUser);
    const user = (await source.getCredentials({ forceRefresh: false }))!;
    expect(user.userSub).toBeDefined();
    await cognito.revokeRefreshToken();
    const reads: unknown[] = [];
    for (const forceRefresh of [true, false]) {
      reads.push(
        await source.getCredentials({ forceRefresh }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
    }
    // Amplify drops the dead tokens and asks for guest credentials of the identity it still holds,
    // the user's: the pool refuses ("Logins don't match"), as Cognito does, until a sign-out.
    for (const error of reads) {
      expect(isSessionEndedError(error)).toBe(true);
      expect(error).toMatchObject({ cause: { name: 'NotAuthorizedException' } });
    }
    await signOut();
    const guest = (await source.getCredentials({ forceRefresh: false }))!;
    expect(guest.userSub).toBeUndefined();
    expect(guest.identityId).not.toBe(user.identityId);
    expect(pool.lookup(guest.credentials.accessKeyId)?.identityId).toBe(guest.identityId);
  });
});
