import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import axios, { type AxiosInstance } from 'axios';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// The built package, as a user gets it; it loads the same Amplify singleton as this file.
import { type AmplifyAuth, installAmplifyAuth, type LogoutReason, SessionEndedError } from 'axios-amplify-auth';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';

let world: LocalWorld;
let api: AxiosInstance;
let auth: AmplifyAuth;
let logouts: LogoutReason[];

async function signInAgain() {
  await signOut().catch(() => {});
  await signIn({
    username: world.cognito.username,
    password: world.cognito.password,
    options: { authFlowType: 'USER_PASSWORD_AUTH' },
  });
}

beforeAll(async () => {
  world = await startLocalWorld();
  Amplify.configure(world.amplifyConfig);
});

afterAll(async () => {
  await signOut().catch(() => {});
  await world?.stop();
});

afterEach(() => {
  auth?.uninstall();
  world.cognito.refreshFault = undefined;
  world.api.rejectIssuedBefore(0);
});

async function setup() {
  await signInAgain();
  api = axios.create({ baseURL: world.api.url });
  auth = installAmplifyAuth(api);
  logouts = [];
  auth.on('logout', ({ reason }) => logouts.push(reason));
}

describe('against real Amplify v6 and a local Cognito, with installAmplifyAuth(api) and no options', () => {
  it('authorizes a signed-in user’s request', async () => {
    await setup();
    const response = await api.get('/hello');
    expect(response.data).toMatchObject({ ok: true, user: world.cognito.username });
  });

  it('answers 30 concurrent requests rejected once with exactly one refresh, and all succeed', async () => {
    await setup();
    await api.get('/warm-up');
    await world.rejectCurrentTokens();
    const before = world.cognito.refreshCalls;
    const requests = world.api.requests.length;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => api.get(`/r/${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(world.cognito.refreshCalls - before).toBe(1);
    const attempts = world.api.requests.slice(requests);
    for (let i = 0; i < 30; i++) expect(attempts.filter((a) => a.path === `/r/${i}`).length).toBeLessThanOrEqual(2);
    expect(attempts.filter((a) => a.status === 200)).toHaveLength(30);
  });

  it('fires logout once with reason revoked when the refresh token is revoked, and rejects with SessionEndedError', async () => {
    await setup();
    await api.get('/before');
    await world.cognito.revokeRefreshToken();
    await world.rejectCurrentTokens();
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => api.get(`/r/${i}`)));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as SessionEndedError;
      expect(error).toBeInstanceOf(SessionEndedError);
      expect(error.reason).toBe('revoked');
    }
    expect(logouts).toEqual(['revoked']);
  });

  it('drops the token at once and fires logout revoked when the app’s own fetchAuthSession({ forceRefresh: true }) meets a revoked refresh token', async () => {
    await setup();
    await api.get('/before');
    await world.cognito.revokeRefreshToken();
    // Amplify, not the plugin, meets the end: it clears its tokens and tells only Hub why.
    const own = await fetchAuthSession({ forceRefresh: true });
    expect(own.tokens).toBeUndefined();
    expect(logouts).toEqual(['revoked']);
    const requests = world.api.requests.length;
    await api.get('/after').catch(() => {});
    // No token of the dead session went out (the API itself still accepts it: nothing rejected it).
    expect(world.api.requests.slice(requests)).toEqual([expect.objectContaining({ path: '/after', token: undefined })]);
    expect(logouts).toEqual(['revoked']);
  });

  it('keeps the session when refreshes fail with 500: REFRESH_FAILED, no logout, and recovers once healed', async () => {
    await setup();
    await api.get('/before');
    const errors: unknown[] = [];
    auth.on('refreshError', ({ error }) => errors.push(error));
    world.cognito.refreshFault = { kind: 'error', status: 500, type: 'InternalErrorException', message: 'boom' };
    await world.rejectCurrentTokens();
    await expect(api.get('/during')).rejects.toMatchObject({ code: 'REFRESH_FAILED', cause: { name: 'InternalErrorException' } });
    expect(errors).toHaveLength(1);
    expect(logouts).toEqual([]);

    world.cognito.refreshFault = undefined;
    await expect(api.get('/after')).resolves.toMatchObject({ status: 200 });
    expect(logouts).toEqual([]);
  });

  it('fires no logout and sends no token after the app’s own signOut()', async () => {
    await setup();
    await api.get('/before');
    await signOut();
    await expect(api.get('/after')).rejects.toMatchObject({ response: { status: 401 } });
    expect(world.api.requests.at(-1)).toMatchObject({ path: '/after', token: undefined });
    expect(logouts).toEqual([]);
  });
});
