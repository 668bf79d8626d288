import { afterEach, describe, expect, it, vi } from 'vitest';
import { AmplifyAuthError } from '../src/core.js';
import { createClient } from './support/client.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('transient failures', () => {
  it('fires refreshError, rejects with REFRESH_FAILED, keeps the session, and recovers', async () => {
    const { session, server, api, events } = createClient();
    const offline = Object.assign(new Error('Network error'), { name: 'NetworkError' });
    session.refreshOutcome = { kind: 'transient', error: offline };
    server.rejectCurrentTokens(session.serial);
    const results = await Promise.allSettled([api.get('/1'), api.get('/2'), api.get('/3')]);
    for (const result of results) {
      const error = (result as PromiseRejectedResult).reason as AmplifyAuthError;
      expect(error).toBeInstanceOf(AmplifyAuthError);
      expect(error.code).toBe('REFRESH_FAILED');
      expect(error.cause).toBe(offline);
      expect(error.config?.url).toMatch(/^\/\d$/);
    }
    expect(session.refreshes).toBe(1);
    expect(events.refreshError).toHaveBeenCalledTimes(1);
    expect(events.refreshError).toHaveBeenCalledWith({ error: offline });
    expect(events.logout).not.toHaveBeenCalled();

    session.refreshOutcome = { kind: 'tokens' };
    await expect(api.get('/4')).resolves.toMatchObject({ status: 200 });
    expect(session.refreshes).toBe(2);
    expect(events.refresh).toHaveBeenCalledWith({ trigger: 'unauthorized' });
  });

  it('rejects with REFRESH_TIMEOUT when the refresh hangs, and the next request tries afresh', async () => {
    const { session, server, api, events } = createClient({ options: { refreshTimeoutMs: 200 } });
    session.refreshOutcome = { kind: 'hang' };
    server.rejectCurrentTokens(session.serial);
    // The refresh never answers: only the timeout can end the wait.
    const errors = await Promise.all([api.get('/1').catch((e: unknown) => e), api.get('/2').catch((e: unknown) => e)]);
    for (const error of errors) expect(error).toMatchObject({ name: 'AmplifyAuthError', code: 'REFRESH_TIMEOUT' });
    expect(events.refreshError).toHaveBeenCalledTimes(1);
    expect(events.refreshError.mock.calls[0]?.[0].error).toMatchObject({ code: 'REFRESH_TIMEOUT' });
    expect(events.logout).not.toHaveBeenCalled();

    session.refreshOutcome = { kind: 'tokens' };
    await expect(api.get('/3')).resolves.toMatchObject({ status: 200 });
    expect(session.refreshes).toBe(2);
  });

  it('clears the timeout’s timer when the refresh settles', async () => {
    vi.useFakeTimers();
    const { session, server, api } = createClient({ options: { refreshTimeoutMs: 60_000 } });
    server.rejectCurrentTokens(session.serial);
    const request = api.get('/x');
    await vi.advanceTimersByTimeAsync(100);
    await expect(request).resolves.toMatchObject({ status: 200 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats a source that throws synchronously like one that rejects', async () => {
    const boom = new Error('sync boom');
    const { server } = createClient({
      source: {
        getTokens: () => {
          throw boom;
        },
      },
    });
    await expect(server.api.get('/x')).rejects.toMatchObject({ code: 'REFRESH_FAILED', cause: boom });
  });
});
