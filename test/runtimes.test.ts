import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAmplifyAuth } from '../src/core.js';
import type { SessionTokens, TokenSource } from '../src/types.js';
import { createApi } from './support/api.js';
import { fakeLocks } from './support/fake-locks.js';
import { issueTokens } from './support/jwt.js';

/** A source whose refresh takes `refreshMs` (`Infinity`: hangs), counting its refreshes. */
function source(user: string, refreshMs: number, extra: Partial<TokenSource> = {}) {
  let serial = 1;
  let tokens: SessionTokens = issueTokens(serial, 3600, Date.now(), user);
  const counts = { refreshes: 0 };
  const value: TokenSource = {
    ...extra,
    getTokens: async ({ forceRefresh }) => {
      if (!forceRefresh) return tokens;
      counts.refreshes += 1;
      if (refreshMs === Infinity) return new Promise<never>(() => {});
      await new Promise((resolve) => setTimeout(resolve, refreshMs));
      tokens = issueTokens(++serial, 3600, Date.now(), user);
      return tokens;
    },
  };
  return { source: value, counts, serial: () => serial, setRefreshMs: (ms: number) => (refreshMs = ms) };
}

// Node ≥ 24.5 and Deno have navigator.locks, one lock manager per process. Where the runtime has
// none, a FIFO one stands in, so that the lock path is exercised on every runtime.
const globals = globalThis as { navigator?: { locks?: unknown } };
const hadLocks = typeof globals.navigator?.locks === 'object';
const savedNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
beforeAll(() => {
  if (hadLocks) return;
  const locks = fakeLocks();
  Object.defineProperty(globalThis, 'navigator', { value: { ...globals.navigator, locks }, configurable: true, writable: true });
});
afterAll(() => {
  if (!hadLocks && savedNavigator) Object.defineProperty(globalThis, 'navigator', savedNavigator);
});

describe(`one process, many users (navigator.locks: ${hadLocks ? 'the runtime’s' : 'a stand-in'})`, () => {
  it('refreshes two sources independently: a fast refresh never waits for a slow one', async () => {
    const slow = source('alice', 2000);
    const fast = source('bob', 10);
    const [a, b] = [createApi(), createApi()];
    installAmplifyAuth(a.api, { source: slow.source });
    installAmplifyAuth(b.api, { source: fast.source });
    a.rejectCurrentTokens(slow.serial());
    b.rejectCurrentTokens(fast.serial());
    const slowCall = a.api.get('/alice');
    await new Promise((resolve) => setTimeout(resolve, 20)); // alice's refresh is under way
    const started = Date.now();
    await expect(b.api.get('/bob')).resolves.toMatchObject({ status: 200 });
    const bobMs = Date.now() - started;
    await expect(slowCall).resolves.toMatchObject({ status: 200 });
    expect(bobMs).toBeLessThan(1000); // 10 ms of refresh; alice's takes 2 s
  });

  it('releases the tab lock of a hung refresh at its timeout: the next refresh of that user goes through at once', async () => {
    const hung = source('carol', Infinity, { sharedAcrossTabs: true });
    const server = createApi();
    installAmplifyAuth(server.api, { source: hung.source, refreshTimeoutMs: 200 });
    server.rejectCurrentTokens(hung.serial());
    await expect(server.api.get('/first')).rejects.toMatchObject({ code: 'REFRESH_TIMEOUT' });
    hung.setRefreshMs(10);
    // With the lock still held, this refresh would wait for it until its own timeout.
    await expect(server.api.get('/second')).resolves.toMatchObject({ status: 200 });
    expect(hung.counts.refreshes).toBe(2);
  });
});
