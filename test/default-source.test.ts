import { describe, expect, it, vi } from 'vitest';
import { createApi } from './support/api.js';
import { FakeAmplifyV6 } from './support/fake-amplify.js';

// The main entry's default source is Amplify v6 itself; here it meets the fake that behaves like it.
const amplify = vi.hoisted(() => ({ current: undefined as unknown as FakeAmplifyV6 }));
vi.mock('aws-amplify/auth', () => ({ fetchAuthSession: (o?: { forceRefresh?: boolean }) => amplify.current.fetchAuthSession(o) }));
vi.mock('aws-amplify/utils', () => ({
  Hub: { listen: (...args: Parameters<FakeAmplifyV6['Hub']['listen']>) => amplify.current.Hub.listen(...args) },
}));

const { installAmplifyAuth } = await import('../src/index.js');

describe('the main entry without options', () => {
  it('uses Amplify v6 and shares one refresh between every instance installed with defaults', async () => {
    amplify.current = new FakeAmplifyV6();
    amplify.current.dedupe = false;
    amplify.current.signIn();
    const a = createApi();
    const b = createApi('https://other.example.com');
    const logout = vi.fn();
    installAmplifyAuth(a.api).on('logout', logout);
    installAmplifyAuth(b.api).on('logout', logout);
    a.rejectCurrentTokens(amplify.current.currentSerial);
    b.rejectCurrentTokens(amplify.current.currentSerial);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => a.api.get(`/a/${i}`)),
      ...Array.from({ length: 10 }, (_, i) => b.api.get(`/b/${i}`)),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(amplify.current.refreshCalls).toBe(1);
    expect(logout).not.toHaveBeenCalled();
  });
});
