import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import { createApi } from './support/api.js';
import { FakeSession } from './support/fake-source.js';

function setup() {
  const session = new FakeSession();
  session.signIn();
  session.refreshOutcome = { kind: 'hang' };
  const server = createApi();
  installAmplifyAuth(server.api, { source: session.source, refreshTimeoutMs: 5_000 });
  server.rejectCurrentTokens(session.serial);
  return { session, server, api: server.api };
}

describe('cancellation while waiting', () => {
  it('rejects at once with CanceledError when the signal aborts during a refresh', async () => {
    const { api } = setup();
    const controller = new AbortController();
    const request = api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const abortedAt = Date.now();
    controller.abort();
    const error = await request;
    expect(Date.now() - abortedAt).toBeLessThan(50);
    expect(axios.isCancel(error)).toBe(true);
    expect(error).toMatchObject({ name: 'CanceledError', code: 'ERR_CANCELED' });
  });

  it('rejects at once when a cancelToken is cancelled during a refresh, with its message', async () => {
    const { api } = setup();
    const source = axios.CancelToken.source();
    const request = api.get('/x', { cancelToken: source.token }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 30));
    source.cancel('user left the page');
    const error = await request;
    expect(axios.isCancel(error)).toBe(true);
    expect((error as Error).message).toBe('user left the page');
  });

  it('rejects at once when the signal aborts while the token is being read', async () => {
    const session = new FakeSession();
    session.signIn();
    session.latencyMs = 10_000;
    const server = createApi();
    installAmplifyAuth(server.api, { source: session.source, refreshTimeoutMs: 20_000 });
    const controller = new AbortController();
    const request = server.api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    expect(axios.isCancel(await request)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.attempts).toEqual([]);
  });

  it('leaves the other waiters and the shared refresh alone', async () => {
    const { session, api } = setup();
    session.refreshOutcome = { kind: 'tokens' };
    session.latencyMs = 100;
    const controller = new AbortController();
    const aborted = api.get('/a', { signal: controller.signal }).catch((e: unknown) => e);
    const kept = api.get('/b');
    setTimeout(() => controller.abort(), 150);
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
      const session = new FakeSession();
      session.signIn();
      session.refreshOutcome = { kind: 'hang' };
      const server = createApi();
      const controller = new AbortController();
      // The request is aborted as its 401 arrives.
      server.once('/x', () => {
        controller.abort();
        return [401, {}];
      });
      installAmplifyAuth(server.api, { source: session.source, refreshTimeoutMs: 50 });
      server.rejectCurrentTokens(session.serial);
      const error = await server.api.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
      expect(axios.isCancel(error)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('asks the source nothing for a request that was aborted before it started', async () => {
    const session = new FakeSession();
    session.signIn();
    const server = createApi();
    installAmplifyAuth(server.api, { source: session.source });
    const controller = new AbortController();
    controller.abort();
    expect(axios.isCancel(await server.api.get('/x', { signal: controller.signal }).catch((e: unknown) => e))).toBe(true);
    expect(session.reads + session.refreshes).toBe(0);
  });
});
