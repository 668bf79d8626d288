import axios from 'axios';
import AxiosMockAdapter from 'axios-mock-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmplifyAuth, browserTabs, installAmplifyAuth, SessionEndedError } from '../src/core.js';
import type { LogoutReason, SessionTokens, SourceChange, TokenSource } from '../src/types.js';
import { fakeLocks } from './support/fake-locks.js';
import { issueTokens, serialOf } from './support/jwt.js';
import { delay, nextTurns, until } from './support/time.js';

/**
 * Tabs in one process: each "tab" has its own token source (so its own coordinator, as each tab
 * has its own copy of the library) over one shared store, as tabs share Amplify's localStorage.
 * Web Locks as a browser has them: a FIFO lock manager per name.
 */
class SharedSession {
  tokens: SessionTokens | undefined = issueTokens(1);
  serial = 1;
  refreshes = 0;
  revoked = false;
  readonly tabs = new Set<() => void>();

  tab(): TokenSource {
    const listeners = new Set<(change?: SourceChange) => void>();
    // Another tab's write is a refresh (same user) unless the session went away.
    const self = () => listeners.forEach((listener) => listener(this.tokens ? 'tokens' : undefined));
    // As `storage` events: every other tab hears of a write, the writing tab does not.
    const notifyOthers = () => [...this.tabs].filter((notify) => notify !== self).forEach((notify) => notify());
    return {
      tabs: browserTabs,
      getTokens: async ({ forceRefresh }) => {
        await delay(10);
        if (!forceRefresh) return this.tokens;
        this.refreshes += 1;
        await delay(20);
        if (this.revoked) {
          this.tokens = undefined;
          notifyOthers();
          throw new SessionEndedError('revoked');
        }
        this.tokens = issueTokens(++this.serial);
        notifyOthers();
        return this.tokens;
      },
      subscribe: (onChange) => {
        listeners.add(onChange);
        this.tabs.add(self);
        return () => {
          listeners.delete(onChange);
          this.tabs.delete(self);
        };
      },
    };
  }
}

/**
 * One `window` for every "tab" here: its localStorage fires `storage` events (a turn later, as
 * browsers do) at every listener, the writer included, which a real browser spares; the plugin
 * must not care. Real tabs in Chromium are in test/browser/.
 */
function fakeWindow() {
  const events = new EventTarget();
  const items = new Map<string, string>();
  return {
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    localStorage: {
      get length() {
        return items.size;
      },
      key: (index: number) => [...items.keys()][index] ?? null,
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => {
        const oldValue = items.get(key) ?? null;
        items.set(key, value);
        setTimeout(() => events.dispatchEvent(Object.assign(new Event('storage'), { key, oldValue, newValue: value })));
      },
    },
  };
}

const globals = globalThis as { window?: unknown; navigator?: unknown; document?: unknown };
const saved = { window: globals.window, navigator: globals.navigator, document: globals.document };
beforeAll(() => {
  Object.defineProperty(globalThis, 'window', { value: fakeWindow(), configurable: true, writable: true });
  Object.defineProperty(globalThis, 'document', { value: {}, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'navigator', { value: { locks: fakeLocks() }, configurable: true, writable: true });
});
afterAll(() => {
  Object.defineProperty(globalThis, 'window', { value: saved.window, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'navigator', { value: saved.navigator, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'document', { value: saved.document, configurable: true, writable: true });
});

function openTab(session: SharedSession, rejectBelow: { serial: number }) {
  const api = axios.create({ baseURL: 'https://api.example.com' });
  new AxiosMockAdapter(api).onAny().reply((config) => {
    const token = String(config.headers?.Authorization ?? '').slice(7);
    return token && serialOf(token) >= rejectBelow.serial ? [200, {}] : [401, {}];
  });
  const auth: AmplifyAuth = installAmplifyAuth(api, { source: session.tab() });
  const logouts: LogoutReason[] = [];
  auth.on('logout', ({ reason }) => logouts.push(reason));
  return { api, auth, logouts };
}

/** Two tabs on one session, both having made a request; `api.serial` is the API's cut-off. */
async function twoTabs() {
  const session = new SharedSession();
  const api = { serial: 0 };
  const tabs = [openTab(session, api), openTab(session, api)] as const;
  await Promise.all(tabs.map((tab) => tab.api.get('/warm')));
  return { session, api, a: tabs[0], b: tabs[1], close: () => tabs.forEach((tab) => tab.auth.uninstall()) };
}

describe('tabs that share one session', () => {
  it('refresh once between two tabs whose token is rejected at the same moment, and both succeed', async () => {
    const { session, api, a, b, close } = await twoTabs();
    api.serial = 2; // the API now rejects token 1
    const results = await Promise.all([a.api.get('/a'), b.api.get('/b')]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(session.refreshes).toBe(1);
    close();
  });

  it('fires logout in both tabs, once each, with one refresh attempt in total', async () => {
    const { session, api, a, b, close } = await twoTabs();
    session.revoked = true;
    api.serial = 2;
    const results = await Promise.allSettled([a.api.get('/a'), b.api.get('/b')]);
    await until(() => a.logouts.length + b.logouts.length === 2, "the other tab's message arrives");
    // The tab that refreshed meets the end; the other may first hear the cleared storage as a
    // sign-out, and then its request, of a session left behind, is not sent (SESSION_CHANGED).
    const [first, second] = results.map((r) => (r as PromiseRejectedResult).reason as { code?: string });
    expect([first?.code, second?.code].sort()).toEqual(expect.arrayContaining(['SESSION_ENDED']));
    expect([first?.code, second?.code].every((code) => code === 'SESSION_ENDED' || code === 'SESSION_CHANGED')).toBe(true);
    expect(a.logouts).toEqual(['revoked']);
    expect(b.logouts).toEqual(['revoked']);
    expect(session.refreshes).toBe(1);
    close();
  });

  it('fires logout in an idle tab when the session ends in another one', async () => {
    const { session, api, a, b, close } = await twoTabs();
    session.revoked = true;
    api.serial = 2;
    await a.api.get('/a').catch(() => {});
    await until(() => b.logouts.length === 1, "the other tab's message arrives");
    expect(b.logouts).toEqual(['revoked']);
    expect(session.refreshes).toBe(1);
    close();
  });

  it('fires no logout in the other tab when the app signs out in one', async () => {
    const { session, a, b, close } = await twoTabs();
    session.tokens = undefined;
    session.tabs.forEach((notify) => notify());
    await expect(b.api.get('/after')).rejects.toMatchObject({ response: { status: 401 } });
    await nextTurns(20); // a message from the other tab would have arrived
    expect([a.logouts, b.logouts]).toEqual([[], []]);
    close();
  });
});
