import { Auth, Hub } from 'aws-amplify-v5';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCurrentSession, installAmplifyAuth, SessionEndedError } from 'axios-amplify-auth/core';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';

// aws-amplify 5 (installed under the alias aws-amplify-v5) against the same local Cognito:
// v5 refreshes with InitiateAuth REFRESH_TOKEN_AUTH, which cognito-local answers itself.
let world: LocalWorld;

beforeAll(async () => {
  world = await startLocalWorld();
  Auth.configure({
    region: 'us-east-1',
    userPoolId: world.cognito.userPoolId,
    userPoolWebClientId: world.cognito.clientId,
    authenticationFlowType: 'USER_PASSWORD_AUTH',
    endpoint: world.cognito.endpoint,
  });
  await Auth.signIn(world.cognito.username, world.cognito.password);
}, 30_000);

afterAll(async () => {
  await world?.stop();
});

describe('fromCurrentSession against real Amplify v5', () => {
  it('authorizes, refreshes once for 20 concurrent 401s, then logs out once when the refresh token is revoked', async () => {
    const api = axios.create({ baseURL: world.api.url });
    const auth = installAmplifyAuth(api, { source: fromCurrentSession(Auth, Hub) });
    const logouts: string[] = [];
    auth.on('logout', ({ reason }) => logouts.push(reason));

    await expect(api.get('/hello')).resolves.toMatchObject({ data: { user: world.cognito.username } });

    await world.rejectCurrentTokens();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/r/${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(world.cognito.refreshCalls).toBe(1);

    await world.cognito.revokeRefreshToken();
    await world.rejectCurrentTokens();
    const ended = await Promise.allSettled([api.get('/a'), api.get('/b')]);
    for (const result of ended) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(SessionEndedError);
      expect((result as PromiseRejectedResult).reason).toMatchObject({ reason: 'revoked' });
    }
    expect(logouts).toEqual(['revoked']);
    auth.uninstall();
  });
});
