import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { createClient } from './support/client.js';
import { nextTurns, settlesAtOnce, until } from './support/time.js';

/** A request's token was rejected, and its refresh never answers (until the 5 s timeout). */
function refreshHanging() {
  const client = createClient({ options: { refreshTimeoutMs: 5_000 } });
  client.session.refreshOutcome = { kind: 'hang' };
  client.server.rejectCurrentTokens(client.session.serial);
  return client;
}

describe('cancellation while waiting', () => {
  it('rejects at once with CanceledError when the signal aborts during a refresh', async () => {
    const { api, session } = refreshHanging();
    const controller = new AbortController();
    const request = api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => session.refreshes === 1, 'the refresh is under way');
    controller.abort();
    expect(await settlesAtOnce(request)).toBe(true);
    const error = await request;
    expect(axios.isCancel(error)).toBe(true);
    expect(error).toMatchObject({ name: 'CanceledError', code: 'ERR_CANCELED' });
  });

  it('rejects at once when a cancelToken is cancelled during a refresh, with its message', async () => {
    const { api, session } = refreshHanging();
    const source = axios.CancelToken.source();
    const request = api.get('/x', { cancelToken: source.token }).catch((e: unknown) => e);
    await until(() => session.refreshes === 1, 'the refresh is under way');
    source.cancel('user left the page');
    expect(await settlesAtOnce(request)).toBe(true);
    const error = await request;
    expect(axios.isCancel(error)).toBe(true);
    expect((error as Error).message).toBe('user left the page');
  });

  it('rejects at once when the signal aborts while the token is being read', async () => {
    const { session, server, api } = createClient({ options: { refreshTimeoutMs: 20_000 } });
    session.latencyMs = 10_000;
    const controller = new AbortController();
    const request = api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => session.reads === 1, 'the token is being read');
    controller.abort();
    expect(await settlesAtOnce(request)).toBe(true);
    expect(axios.isCancel(await request)).toBe(true);
    expect(server.attempts).toEqual([]);
  });

  it('leaves the other waiters and the shared refresh alone', async () => {
    const { session, api } = refreshHanging();
    session.refreshOutcome = { kind: 'tokens' };
    session.latencyMs = 100;
    const controller = new AbortController();
    const aborted = api.get('/a', { signal: controller.signal }).catch((e: unknown) => e);
    const kept = api.get('/b');
    await until(() => session.refreshes === 1, 'the shared refresh is under way');
    controller.abort();
    expect(axios.isCancel(await aborted)).toBe(true);
    await expect(kept).resolves.toMatchObject({ status: 200 });
    expect(session.refreshes).toBe(1);
  });
});

describe('cancellation and the shared refresh', () => {
  it('leaves no unhandled rejection when a request aborts as its 401 arrives and the refresh then times out', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { session, server, api, events } = createClient({ options: { refreshTimeoutMs: 50 } });
      session.refreshOutcome = { kind: 'hang' };
      const controller = new AbortController();
      // The request is aborted as its 401 arrives.
      server.once('/x', () => {
        controller.abort();
        return [401, {}];
      });
      server.rejectCurrentTokens(session.serial);
      // Another request's 401 starts the refresh that /x would have waited for; it hangs until the timeout.
      const other = api.get('/y').catch((e: unknown) => e);
      const error = await api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
      expect(axios.isCancel(error)).toBe(true);
      expect(await other).toMatchObject({ code: 'REFRESH_TIMEOUT' });
      expect(events.refreshError).toHaveBeenCalledTimes(1);
      await nextTurns(); // an unhandled rejection is reported after the turn it happened in
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('asks the source nothing for a request that was aborted before it started', async () => {
    const { session, api } = createClient();
    const controller = new AbortController();
    controller.abort();
    expect(axios.isCancel(await api.get('/x', { signal: controller.signal }).catch((e: unknown) => e))).toBe(true);
    expect(session.reads + session.refreshes).toBe(0);
  });
});
