import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromFetchAuthSession, installAmplifyAuth } from '../src/core.js';
import { createApi } from './support/api.js';
import { FakeAmplifyV6 } from './support/fake-amplify.js';
import { interceptorCount } from './support/interceptors.js';
import { createClient } from './support/client.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('no leaks', () => {
  it('leaves no Hub listener, timer or interceptor after 1,000 install/uninstall cycles with requests', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval'], shouldAdvanceTime: true });
    const amplify = new FakeAmplifyV6();
    amplify.signIn();
    const source = fromFetchAuthSession(amplify.fetchAuthSession, amplify.Hub);
    const server = createApi();
    for (let i = 0; i < 1000; i++) {
      const auth = installAmplifyAuth(server.api, { source });
      auth.on('logout', () => {});
      if (i % 100 === 0) await server.api.get('/x');
      auth.uninstall();
    }
    await vi.advanceTimersByTimeAsync(5);
    expect(amplify.hubListeners).toBe(0);
    expect(interceptorCount(server.api)).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the refresh timeout’s timer when a refresh fails or ends the session, too', async () => {
    const { session, server } = createClient({ options: { refreshTimeoutMs: 60_000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    session.refreshOutcome = { kind: 'transient', error: new Error('offline') };
    server.rejectCurrentTokens(session.serial);
    await server.api.get('/a').catch(() => {});
    session.refreshOutcome = { kind: 'ended', reason: 'revoked' };
    await server.api.get('/b').catch(() => {});
    // The mock adapter's own 1 ms delays are done; only a leaked 60 s timer could remain.
    await vi.advanceTimersByTimeAsync(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a process that used the plugin exit on its own, with nothing left open', async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    // A leaked timer would hold the process for the 60 s refresh timeout: it is killed at 20 s.
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'test', 'fixtures', 'exits-cleanly.mjs')], {
      cwd: root,
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({ results: [200, 200, 200, 200, 200], listeners: 0 });
  });
});
