import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTabs } from '../src/core.js';
import type { SessionTokens, TokenSource } from '../src/types.js';
import { createClient } from './support/client.js';
import { fakeLocks } from './support/fake-locks.js';
import { issueTokens } from './support/jwt.js';
import { delay, until } from './support/time.js';

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
      await delay(refreshMs);
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
    const [{ server: a }, { server: b }] = [createClient({ source: slow.source }), createClient({ source: fast.source })];
    a.rejectCurrentTokens(slow.serial());
    b.rejectCurrentTokens(fast.serial());
    let aliceAnswered = false;
    const slowCall = a.api.get('/alice').finally(() => (aliceAnswered = true));
    await until(() => slow.counts.refreshes === 1, "alice's refresh is under way");
    await expect(b.api.get('/bob')).resolves.toMatchObject({ status: 200 });
    // Bob's 10 ms refresh did not wait behind alice's 2 s one (a lock for the whole process would).
    expect(aliceAnswered).toBe(false);
    await expect(slowCall).resolves.toMatchObject({ status: 200 });
  });

  it('releases the tab lock of a hung refresh at its timeout: the next refresh of that user goes through at once', async () => {
    const hung = source('carol', Infinity, { tabs: browserTabs });
    const { server } = createClient({ source: hung.source, options: { refreshTimeoutMs: 200 } });
    server.rejectCurrentTokens(hung.serial());
    await expect(server.api.get('/first')).rejects.toMatchObject({ code: 'REFRESH_TIMEOUT' });
    hung.setRefreshMs(10);
    // With the lock still held, this refresh would wait for it until its own timeout.
    await expect(server.api.get('/second')).resolves.toMatchObject({ status: 200 });
    expect(hung.counts.refreshes).toBe(2);
  });
});
