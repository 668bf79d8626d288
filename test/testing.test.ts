import axios from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { describe, expect, it, vi } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import { createTestSource } from '../src/testing.js';

/** The README's recipe: an app's own test of its logout handling, with the test source. */
function app() {
  const api = axios.create({ baseURL: 'https://api.example.com' });
  const mock = new AxiosMockAdapter(api);
  const source = createTestSource({ lifetimeSeconds: 600 });
  const auth = installAmplifyAuth(api, { source, refreshTimeoutMs: 100 });
  const onLogout = vi.fn();
  auth.on('logout', onLogout);
  return { api, mock, source, auth, onLogout };
}

describe('createTestSource (axios-amplify-auth/testing)', () => {
  it('signs in: the request carries its ID token', async () => {
    const { api, mock, source } = app();
    mock.onGet('/me').reply((config) => [config.headers?.Authorization === `Bearer ${source.tokens?.idToken}` ? 200 : 401, {}]);
    await expect(api.get('/me')).resolves.toMatchObject({ status: 200 });
  });

  it('revoke: the next refresh ends the session, the app’s logout handler runs once with the reason', async () => {
    const { api, mock, source, onLogout } = app();
    source.revoke('revoked');
    mock.onGet('/me').reply(401);
    await expect(api.get('/me')).rejects.toMatchObject({ code: 'SESSION_ENDED', reason: 'revoked' });
    expect(onLogout).toHaveBeenCalledTimes(1);
    expect(onLogout).toHaveBeenCalledWith(expect.objectContaining({ reason: 'revoked' }));
    expect(source.refreshes).toBe(1);
  });

  it('expires tokens after lifetimeSeconds: the plugin refreshes before sending (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { api, mock, source } = app();
      mock.onGet('/me').reply(200, {});
      await api.get('/me');
      vi.setSystemTime(Date.now() + 590_000); // 10 s before expiry: inside the 60 s leeway
      await api.get('/me');
      expect(source.refreshes).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails transiently and hangs: refreshError, REFRESH_FAILED and REFRESH_TIMEOUT, no logout', async () => {
    const { api, mock, source, auth, onLogout } = app();
    const refreshErrors = vi.fn();
    auth.on('refreshError', refreshErrors);
    mock.onGet('/me').reply(401);
    source.failNextRefresh();
    await expect(api.get('/me')).rejects.toMatchObject({ code: 'REFRESH_FAILED' });
    source.hangNextRefresh();
    await expect(api.get('/me')).rejects.toMatchObject({ code: 'REFRESH_TIMEOUT' });
    expect(refreshErrors).toHaveBeenCalledTimes(2);
    expect(onLogout).not.toHaveBeenCalled();
  });

  it('signs out and in as another user: a session change the plugin hears', async () => {
    const { api, mock, source } = app();
    const seen: unknown[] = [];
    mock.onGet('/me').reply((config) => {
      seen.push(config.headers?.Authorization);
      return [200, {}];
    });
    await api.get('/me');
    source.signOut();
    await api.get('/me');
    source.signIn('someone-else');
    await api.get('/me');
    expect(seen).toEqual([expect.stringMatching(/^Bearer /), undefined, `Bearer ${source.tokens?.idToken}`]);
  });
});
