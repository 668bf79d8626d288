import { describe, expect, it, vi } from 'vitest';
import { isAmplifyAuthError, SessionEndedError } from '../src/core.js';
import { createClient } from './support/client.js';
import { gate, until } from './support/time.js';

/** The reasons of the `logout` events so far. */
const reasons = (events: ReturnType<typeof createClient>['events']) => events.logout.mock.calls.map(([payload]) => payload.reason);

describe('session end', () => {
  it('fires logout once and rejects 20 concurrent requests with SessionEndedError', async () => {
    const { session, server, api, events } = createClient();
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
    expect(events.logout).toHaveBeenCalledTimes(1);
    expect(events.logout.mock.calls[0]?.[0]).toMatchObject({ reason: 'revoked', error: expect.any(Error) });
    expect(session.refreshes).toBe(1);
  });

  it('rejects a 401 that arrives after its session ended with SessionEndedError too, without another refresh', async () => {
    const { session, server, api, events } = createClient();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    const lateAnswer = gate();
    server.once('/late', async () => (await lateAnswer.opened, [401, {}]));
    const late = api.get('/late').catch((e: unknown) => e);
    await until(() => server.attemptsOf('/late').length === 1, 'the late request left');
    await expect(api.get('/early')).rejects.toBeInstanceOf(SessionEndedError);
    lateAnswer.open();
    const error = await late;
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(error).toMatchObject({ reason: 'revoked', config: { url: '/late' } });
    expect(session.refreshes).toBe(1);
    expect(events.logout).toHaveBeenCalledTimes(1);
  });

  it('fires no logout when the user signs in again while the old session’s refresh fails', async () => {
    const { session, server, api, events } = createClient();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    session.latencyMs = 50;
    server.rejectCurrentTokens(session.serial);
    const request = api.get('/x').catch((e: unknown) => e);
    // The 401 came back and the refresh is under way: now the user signs in on another screen.
    await until(() => session.refreshes === 1, 'the refresh is under way');
    session.signIn();
    // The request belonged to the session that was left: it is not sent as the new one.
    expect(await request).toMatchObject({ name: 'AmplifyAuthError', code: 'SESSION_CHANGED' });
    expect(events.logout).not.toHaveBeenCalled();
    session.latencyMs = 1;
    await expect(api.get('/after')).resolves.toMatchObject({ status: 200 });
  });

  it('fires logout on every instance of the source, once each', async () => {
    const a = createClient();
    const b = createClient({ session: a.session });
    a.session.refreshOutcome = { kind: 'ended', reason: 'expired' };
    a.server.rejectCurrentTokens(a.session.serial);
    b.server.rejectCurrentTokens(a.session.serial);
    await Promise.allSettled([a.api.get('/1'), b.api.get('/2'), a.api.get('/3')]);
    expect([reasons(a.events), reasons(b.events)]).toEqual([['expired'], ['expired']]);
  });

  it('treats a forced refresh without tokens, after tokens were seen, as the session’s end', async () => {
    const { session, server, api, events } = createClient();
    session.refreshOutcome = { kind: 'nothing' };
    server.rejectCurrentTokens(session.serial);
    const error = await api.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionEndedError);
    expect(reasons(events)).toEqual(['session-ended']);
  });

  it('does not fire logout again until a new sign-in, then fires it for the next session', async () => {
    const { session, server, api, events } = createClient();
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    await api.get('/1').catch(() => {});
    // Signed out now: requests go without a token and are not retried.
    await expect(api.get('/2')).rejects.toMatchObject({ response: { status: 401 } });
    expect(events.logout).toHaveBeenCalledTimes(1);

    session.refreshOutcome = { kind: 'tokens' };
    session.signIn();
    await expect(api.get('/3')).resolves.toMatchObject({ status: 200 });
    session.refreshOutcome = { kind: 'ended', reason: 'user-disabled' };
    server.rejectCurrentTokens(session.serial);
    await api.get('/4').catch(() => {});
    expect(reasons(events)).toEqual(['revoked', 'user-disabled']);
  });

  it('is not a logout when the app signs out itself, even with a 401 in flight', async () => {
    const { session, server, api, events } = createClient();
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
    expect(events.logout).not.toHaveBeenCalled();
  });

  it('ends the session on a SessionEndedError from a plain read too (a stored session that is dead)', async () => {
    const { session, api, events } = createClient();
    session.readFailure = new SessionEndedError('password-reset-required');
    await expect(api.get('/x')).rejects.toBeInstanceOf(SessionEndedError);
    await expect(api.get('/y')).rejects.toBeInstanceOf(SessionEndedError);
    expect(reasons(events)).toEqual(['password-reset-required']);
  });

  it('keeps requests and other listeners working when a listener throws', async () => {
    const { session, server, auth, api, events } = createClient();
    auth.on('logout', () => {
      throw new Error('listener bug');
    });
    const after = vi.fn();
    auth.on('logout', after);
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    server.rejectCurrentTokens(session.serial);
    const error = await api.get('/x').catch((e: unknown) => e);
    expect(isAmplifyAuthError(error)).toBe(true);
    expect(events.logout).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('stops calling a listener after its unsubscribe function or off()', async () => {
    const { session, server, auth, api } = createClient();
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
