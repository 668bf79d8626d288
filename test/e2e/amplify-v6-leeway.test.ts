import { Amplify } from 'aws-amplify';
import { signIn, signOut } from 'aws-amplify/auth';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The built package, as a user gets it; it loads the same Amplify singleton as this file.
import { installAmplifyAuth } from 'axios-amplify-auth';
import { startLocalWorld, type LocalWorld } from '../harness/world.js';
import { delay } from '../support/time.js';

// A file of its own: one Amplify.configure per process, as in an app (aws-amplify 6.15 keeps the
// first pool's refresh token across a configure to another pool).
describe('with short-lived tokens', () => {
  let short: LocalWorld;
  beforeAll(async () => {
    short = await startLocalWorld({ tokenSeconds: 12 });
  });
  afterAll(async () => {
    await signOut().catch(() => {});
    await short?.stop();
  });

  it('refreshes before the request when the token enters the leeway, and the API sees no 401', async () => {
    Amplify.configure(short.amplifyConfig);
    await signIn({ username: short.cognito.username, password: short.cognito.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    const shortApi = axios.create({ baseURL: short.api.url });
    const handle = installAmplifyAuth(shortApi);
    const triggers: string[] = [];
    handle.on('refresh', ({ trigger }) => triggers.push(trigger));
    await shortApi.get('/early');
    // 12 s tokens: the leeway is capped at 6 s; Amplify itself would refresh only 5 s before expiry.
    await delay(6_500);
    await shortApi.get('/late');
    handle.uninstall();
    expect(triggers).toEqual(['expiring']);
    expect(short.cognito.refreshCalls).toBe(1);
    expect(short.api.requests.map((r) => r.status)).toEqual([200, 200]);
  }, 30_000);
});
