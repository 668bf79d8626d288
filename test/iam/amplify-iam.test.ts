/**
 * `installAmplifyIam` with its default source, real Amplify v6, a local user pool, a local
 * identity pool and an API that verifies SigV4 with aws4: guest and signed-in identities, a
 * sign-in and a sign-out between requests, 30 concurrent requests with expired credentials (one
 * credentials call), a clock 10 minutes off (one retry), and a user-pool session that ends.
 */
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios, { type AxiosInstance } from 'axios';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installAmplifyIam } from '../../src/iam.js';
import type { AmplifyAuth, AmplifyAuthEvents } from '../../src/types.js';
import type { LocalCognito } from '../harness/cognito.js';
import type { IamApi } from '../harness/iam-api.js';
import { type IamWorld, startIamWorld } from '../harness/iam-world.js';
import type { LocalIdentityPool } from '../harness/identity-pool.js';
import { delay } from '../support/time.js';

let world: IamWorld;
let cognito: LocalCognito;
let pool: LocalIdentityPool;
let api: IamApi;
let instances: AxiosInstance[];
let handles: AmplifyAuth[];
const events = { logout: vi.fn<(payload: AmplifyAuthEvents['logout']) => void>(), refresh: vi.fn() };

beforeAll(async () => {
  world = await startIamWorld();
  ({ cognito, pool, api } = world);
  Amplify.configure(world.amplifyConfig);
  // Three instances on the default source: one credentials call at a time for all of them.
  instances = [0, 1, 2].map(() => axios.create({ baseURL: api.url }));
  handles = instances.map((instance) => installAmplifyIam(instance, { region: pool.region, service: 'execute-api' }));
  for (const handle of handles) {
    handle.on('logout', events.logout);
    handle.on('refresh', events.refresh);
  }
}, 60_000);

afterAll(async () => {
  for (const handle of handles ?? []) handle.uninstall();
  await signOut().catch(() => {});
  await world?.stop();
});

const whoami = async (instance: AxiosInstance = instances[0]!) => (await instance.get<{ identityId: string }>('/whoami')).data.identityId;

describe('installAmplifyIam with Amplify v6', () => {
  it('signs a guest’s requests with the guest identity’s credentials', async () => {
    expect(await whoami()).toBe(pool.guestIdentities[0]);
    expect(await Promise.all(instances.map(whoami))).toEqual(instances.map(() => pool.guestIdentities[0]));
    expect(pool.calls.GetCredentialsForIdentity).toBe(1);
  });

  it('after a sign-in, signs as the user’s identity: no request goes out with the guest’s credentials', async () => {
    // The user's credentials will live 3 s: the next test lets them expire.
    pool.credentialsSeconds = 3;
    // Every key handed out so far is the guest's (the pool links the guest identity to the user: the id stays).
    const guestKeys = new Set(pool.issued.map((issued) => issued.accessKeyId));
    await signIn({ username: cognito.username, password: cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const sub = decodeJwt((await fetchAuthSession()).tokens!.idToken!.toString()).sub!;
    const before = api.requests.length;
    expect(await Promise.all(instances.map(whoami))).toEqual(instances.map(() => pool.identityOf(sub)));
    const after = api.requests.slice(before);
    expect(after.map((request) => [request.status, guestKeys.has(request.accessKeyId ?? '') ? 'guest' : 'user', request.refusal])).toEqual(
      after.map(() => [200, 'user', undefined]),
    );
  });

  it('30 concurrent requests on three instances with expired credentials: one credentials call, all signed anew', async () => {
    await delay(3_200);
    pool.credentialsSeconds = 3600;
    const before = pool.calls.GetCredentialsForIdentity;
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, n) => instances[n % 3]!.get(`/n/${n}`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(pool.calls.GetCredentialsForIdentity - before).toBe(1);
    expect(events.refresh).toHaveBeenCalledWith({ trigger: 'expiring' });
    expect(events.logout).not.toHaveBeenCalled();
  });

  it('a clock 10 minutes off: one retry at the server’s time, then success, and the next request is signed right', async () => {
    api.clockOffsetMs = 10 * 60_000;
    try {
      const before = api.requests.length;
      await expect(instances[1]!.post('/skewed', { a: 1 })).resolves.toMatchObject({ status: 200 });
      await expect(instances[1]!.get('/next')).resolves.toMatchObject({ status: 200 });
      expect(api.requests.slice(before).map((request) => request.status)).toEqual([403, 200, 200]);
    } finally {
      api.clockOffsetMs = 0;
    }
  });

  it('after a sign-out, signs as a new guest identity again', async () => {
    const user = await whoami();
    await signOut();
    const guest = await whoami();
    expect(guest).not.toBe(user);
    expect(guest).toBe(pool.guestIdentities.at(-1));
    expect(events.logout).not.toHaveBeenCalled();
  });
});
