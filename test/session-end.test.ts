import { describe, expect, it, vi } from 'vitest';
import { installAmplifyAuth, isAmplifyAuthError, SessionEndedError } from '../src/core.js';
import type { LogoutReason } from '../src/types.js';
import { createApi } from './support/api.js';
import { FakeSession } from './support/fake-source.js';

function setup() {
  const session = new FakeSession();
  session.signIn();
  const server = createApi();
  const auth = installAmplifyAuth(server.api, { source: session.source });
  const logouts: Array<{ reason: LogoutReason; error?: unknown }> = [];
  auth.on('logout', (payload) => logouts.push(payload));
  return { session, server, auth, api: server.api, logouts };
}

describe('session end', () => {
  it('fires logout once and rejects 20 concurrent requests with SessionEndedError', async () => {
    const { session, server, api, logouts } = setup();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => api.get(`/r/${i}`)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    for (const result of results) {
      const error = (result as PromiseRejectedResult).reason as SessionEndedError;
      expect(error).toBeInstanceOf(SessionEndedError);
      expect(error.code).toBe('SESSION_ENDED');
      expect(error.reason).toBe('revoked');
      expect(error.config?.url).toMatch(/^\/r\/\d+$/);
    }
    expect(logouts).toHaveLength(1);
    expect(logouts[0]?.reason).toBe('revoked');
    expect(logouts[0]?.error).toBeInstanceOf(Error);
    expect(session.refreshes).toBe(1);
  });

  it('rejects a 401 that arrives after its session ended with SessionEndedError too, without another refresh', async () => {
    const { session, server, api, logouts } = setup();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    server.once('/late', async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return [401, {}];
    });
    const late = api.get('/late').catch((e: unknown) => e);
    await expect(api.get('/early')).rejects.toBeInstanceOf(SessionEndedError);
    const error = await late;
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(error).toMatchObject({ reason: 'revoked', config: { url: '/late' } });
    expect(session.refreshes).toBe(1);
    expect(logouts).toHaveLength(1);
  });

  it('fires no logout when the user signs in again while the old session’s refresh fails', async () => {
    const { session, server, api, logouts } = setup();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    session.latencyMs = 50;
    server.rejectCurrentTokens(session.serial);
    const request = api.get('/x').catch((e: unknown) => e);
    // The 401 came back and the refresh is under way: now the user signs in on another screen.
    await new Promise((resolve) => setTimeout(resolve, 70));
    session.signIn();
    // The request belonged to the session that was left: it is not sent as the new one.
    expect(await request).toMatchObject({ name: 'AmplifyAuthError', code: 'SESSION_CHANGED' });
    expect(logouts).toEqual([]);
    session.latencyMs = 1;
    await expect(api.get('/after')).resolves.toMatchObject({ status: 200 });
  });

  it('fires logout on every instance of the source, once each', async () => {
    const session = new FakeSession();
    session.signIn();
    const a = createApi();
    const b = createApi();
    const seen: string[] = [];
    installAmplifyAuth(a.api, { source: session.source }).on('logout', () => seen.push('a'));
    installAmplifyAuth(b.api, { source: session.source }).on('logout', () => seen.push('b'));
    session.refreshOutcome = { kind: 'ended', reason: 'expired' };
    a.rejectCurrentTokens(session.serial);
    b.rejectCurrentTokens(session.serial);
    await Promise.allSettled([a.api.get('/1'), b.api.get('/2'), a.api.get('/3')]);
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('treats a forced refresh without tokens, after tokens were seen, as the session’s end', async () => {
    const { session, server, api, logouts } = setup();
    session.refreshOutcome = { kind: 'nothing' };
    server.rejectCurrentTokens(session.serial);
    const error = await api.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(logouts.map((l) => l.reason)).toEqual(['session-ended']);
  });

  it('does not fire logout again until a new sign-in, then fires it for the next session', async () => {
    const { session, server, api, logouts } = setup();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    await api.get('/1').catch(() => {});
    // Signed out now: requests go without a token and are not retried.
    await expect(api.get('/2')).rejects.toMatchObject({ response: { status: 401 } });
    expect(logouts).toHaveLength(1);

    session.refreshOutcome = { kind: 'tokens' };
    session.signIn();
    await expect(api.get('/3')).resolves.toMatchObject({ status: 200 });
    session.refreshOutcome = { kind: 'ended', reason: 'user-disabled' };
    server.rejectCurrentTokens(session.serial);
    await api.get('/4').catch(() => {});
    expect(logouts.map((l) => l.reason)).toEqual(['revoked', 'user-disabled']);
  });

  it('is not a logout when the app signs out itself, even with a 401 in flight', async () => {
    const { session, server, api, logouts } = setup();
    server.rejectCurrentTokens(session.serial);
    server.once('/in-flight', async () => {
      session.signOut();
      return [401, {}];
    });
    session.refreshOutcome = { kind: 'nothing' };
    const error = await api.get('/in-flight').catch((e: unknown) => e);
    // Not retried: its session was left. The 401 is the cause.
    expect(error).toMatchObject({ code: 'SESSION_CHANGED', cause: { isAxiosError: true, response: { status: 401 } } });
    await api.get('/after').catch(() => {});
    expect(server.attemptsOf('/after')[0]?.authorization).toBeUndefined();
    expect(logouts).toEqual([]);
  });

  it('ends the session on a SessionEndedError from a plain read too (a stored session that is dead)', async () => {
    const session = new FakeSession();
    session.signIn();
    session.readFailure = new SessionEndedError('password-reset-required');
    const server = createApi();
    const auth = installAmplifyAuth(server.api, { source: session.source });
    const listener = vi.fn();
    auth.on('logout', listener);
    await expect(server.api.get('/x')).rejects.toBeInstanceOf(SessionEndedError);
    await expect(server.api.get('/y')).rejects.toBeInstanceOf(SessionEndedError);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith(expect.objectContaining({ reason: 'password-reset-required' }));
  });

  it('keeps requests and other listeners working when a listener throws', async () => {
    const { session, server, auth, api, logouts } = setup();
    auth.on('logout', () => {
      throw new Error('listener bug');
    });
    const after = vi.fn();
    auth.on('logout', after);
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    const error = await api.get('/x').catch((e: unknown) => e);
    expect(isAmplifyAuthError(error)).toBe(true);
    expect(logouts).toHaveLength(1);
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('stops calling a listener after its unsubscribe function or off()', async () => {
    const { session, server, auth, api } = setup();
    const viaReturn = vi.fn();
    const viaOff = vi.fn();
    const stop = auth.on('logout', viaReturn);
    auth.on('logout', viaOff);
    stop();
    auth.off('logout', viaOff);
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    await api.get('/x').catch(() => {});
    expect(viaReturn).not.toHaveBeenCalled();
    expect(viaOff).not.toHaveBeenCalled();
  });
});
