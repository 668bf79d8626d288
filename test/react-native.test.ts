import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromFetchAuthSession, installAmplifyAuth } from '../src/core.js';
import { createApi } from './support/api.js';
import { FakeSession } from './support/fake-source.js';

const names = ['window', 'navigator', 'document', 'localStorage', 'URL'] as const;
let saved: Array<PropertyDescriptor | undefined> = [];
const define = (name: string, value: unknown) => Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });

/** React Native's globals: `window` is the global object, without addEventListener or localStorage. */
beforeEach(() => {
  saved = names.map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  define('window', globalThis);
  define('navigator', { product: 'ReactNative' });
  define('document', undefined);
  define('localStorage', undefined);
});
afterEach(() => {
  names.forEach((name, index) => {
    const descriptor = saved[index];
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else Reflect.deleteProperty(globalThis, name);
  });
});

/** A Hub as Amplify's, enough for the adapter: listeners of the auth channel. */
function fakeHub() {
  const listeners = new Set<(capsule: { payload: { event: string; data?: unknown } }) => void>();
  return {
    listen: (_channel: 'auth', callback: (capsule: { payload: { event: string; data?: unknown } }) => void) => {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    count: () => listeners.size,
  };
}

describe('React Native', () => {
  it('installs, attaches, refreshes after a 401 and uninstalls, with a custom source and with the Amplify v6 adapter', async () => {
    const session = new FakeSession();
    session.signIn();
    const hub = fakeHub();
    const amplify = fromFetchAuthSession(async (options) => {
      const tokens = await session.source.getTokens({ forceRefresh: options?.forceRefresh === true });
      return { tokens: tokens && { idToken: tokens.idToken, accessToken: tokens.accessToken } };
    }, hub);
    for (const source of [session.source, amplify]) {
      const server = createApi();
      const auth = installAmplifyAuth(server.api, { source });
      await server.api.get('/first');
      server.rejectCurrentTokens(session.serial);
      await expect(server.api.get('/second')).resolves.toMatchObject({ status: 200 });
      expect(server.attemptsOf('/second').map((attempt) => attempt.authorization !== undefined)).toEqual([true, true]);
      auth.uninstall();
      await server.api.get('/after').catch(() => {});
      expect(server.attemptsOf('/after')[0]?.authorization).toBeUndefined();
    }
    expect(hub.count()).toBe(0);
  });

  it('throws a TypeError that names the URL polyfill when URL cannot parse, and installs nothing', () => {
    // React Native's own URL: `origin`, `pathname` and the like throw "not implemented".
    define(
      'URL',
      class {
        get origin(): string {
          throw new Error('not implemented');
        }
        get pathname(): string {
          throw new Error('not implemented');
        }
      },
    );
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const session = new FakeSession();
    expect(() => installAmplifyAuth(api, { source: session.source })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('react-native-url-polyfill/auto') }),
    );
    expect(session.listeners.size).toBe(0);
  });
});
