import { type BrowserWindow, browserWindow, lockManager } from '../environment.js';
import { isSessionEndedError, SessionEndedError } from '../errors.js';
import { readClaims } from '../jwt.js';
import { checked, holds } from '../session.js';
import { untilAborted } from '../timeout.js';
import type { LogoutReason, SessionTokens, TabCoordination, TokenSource } from '../types.js';
import { storagePrefix } from './hub.js';

/**
 * Tabs of one browser share one Amplify session (it lives in localStorage). Two tabs refreshing
 * at once would spend one refresh token twice, which Cognito's refresh-token rotation punishes
 * with RefreshTokenReuseException, ending the session everywhere. So, for a source that says
 * `tabs` (the Amplify adapters in a browser document, or a custom source given
 * {@link browserTabs}), a refresh holds a Web Lock (as auth0-spa-js does) and a tab whose refresh
 * ended the session leaves a note that the other tabs hear (`storage` event) or read after the
 * lock. Lock and note are named for one user of one user-pool client: another user's refresh in
 * another tab never waits for this one, and a note about one user never ends another's session.
 */

const prefix = 'axios-amplify-auth:';
const notePrefix = `${prefix}session-ended:`;
// A note older than this is about some earlier session.
const noteLifetimeMs = 60_000;
// Derived from the type, so that a new reason cannot be forgotten here.
const reasons: Record<LogoutReason, true> = {
  revoked: true,
  expired: true,
  'user-disabled': true,
  'user-not-found': true,
  'password-reset-required': true,
  'user-not-confirmed': true,
  'refresh-token-reused': true,
  'session-ended': true,
};

/** A session as tabs name it: one user (`sub`) of one user-pool app client. */
type TabSession = string;

function tabSessionOf(token: string): TabSession | undefined {
  const { client, sub } = readClaims(token);
  return client && sub ? `${client}:${sub}` : undefined;
}

// How long a tab that waited for the refresh lock looks for the other tab's tokens: 10 × 50 ms.
const storageSyncLooks = 10;
const storageSyncPauseMs = 50;

/**
 * Runs `task` holding the refresh lock of `session`. `task` learns whether it `waited`: another
 * tab held the lock first (and so probably just refreshed). An `abandon` abort gives up waiting for the lock,
 * and releases it at once if held: a hung refresh never blocks the next one.
 */
async function withTabLock<T>(session: TabSession, task: (lock: { waited: boolean }) => Promise<T>, abandon: AbortSignal): Promise<T> {
  const manager = lockManager();
  if (!manager) return task({ waited: false });
  const name = `${prefix}refresh:${session}`;
  const free = await manager.request(name, { ifAvailable: true }, async (lock) =>
    lock ? { value: await untilAborted(task({ waited: false }), abandon) } : undefined,
  );
  return free ? free.value : manager.request(name, { signal: abandon }, () => untilAborted(task({ waited: true }), abandon));
}

function readNote(value: string | null | undefined): LogoutReason | undefined {
  try {
    const note = JSON.parse(value ?? 'null') as { reason?: unknown; at?: unknown } | null;
    const fresh = typeof note?.at === 'number' && Date.now() - note.at < noteLifetimeMs;
    return fresh && typeof note.reason === 'string' && Object.prototype.hasOwnProperty.call(reasons, note.reason)
      ? (note.reason as LogoutReason)
      : undefined;
  } catch {
    return undefined;
  }
}

function storage(win: BrowserWindow | undefined) {
  return win?.localStorage;
}

/** Tells the other tabs that the session of this user ended, and why. */
function noteSessionEnded(session: TabSession, reason: LogoutReason): void {
  try {
    // `at` makes every note a new value, so that the same reason twice is heard twice.
    storage(browserWindow())?.setItem(notePrefix + session, JSON.stringify({ reason, at: Date.now() }));
  } catch {
    // Storage refused (quota, privacy mode): the other tabs learn it on their next request.
  }
}

/** The reason another tab noted, within the last minute, for the end of this user's session. */
function sessionEndedElsewhere(session: TabSession): LogoutReason | undefined {
  try {
    return readNote(storage(browserWindow())?.getItem(notePrefix + session));
  } catch {
    return undefined;
  }
}

/**
 * Calls `listener` when another tab notes that a session ended; returns the unsubscribe function.
 * Outside a browser document it listens to nothing.
 */
function onSessionEndedElsewhere(listener: (session: TabSession, reason: LogoutReason) => void): () => void {
  const win = browserWindow();
  if (!win) return () => {};
  const onStorage = (event: StorageEvent): void => {
    if (!event.key?.startsWith(notePrefix)) return;
    const reason = readNote(event.newValue);
    if (reason) listener(event.key.slice(notePrefix.length), reason);
  };
  win.addEventListener('storage', onStorage);
  return () => win.removeEventListener('storage', onStorage);
}

/**
 * With the lock held: another tab may have refreshed (or ended the session) while this one
 * waited, and the shared storage already says so. Only otherwise is Cognito asked. Another
 * tab's writes reach this tab's storage a moment after its lock is released (Chromium syncs
 * localStorage between processes asynchronously), so after a wait it looks again for a while.
 */
async function refreshUnlessRefreshedElsewhere(
  source: TokenSource,
  tab: TabSession,
  stale: string,
  { waited }: { waited: boolean },
): Promise<SessionTokens | undefined> {
  for (let look = 1; ; look++) {
    const current = checked(await source.getTokens({ forceRefresh: false }));
    if (current && !holds(current, stale)) return current;
    const endedElsewhere = current ? undefined : sessionEndedElsewhere(tab);
    if (endedElsewhere) throw new SessionEndedError(endedElsewhere);
    if (!waited || look >= storageSyncLooks) break;
    await new Promise((resolve) => setTimeout(resolve, storageSyncPauseMs));
  }
  try {
    return await source.getTokens({ forceRefresh: true });
  } catch (error) {
    // Noted before the lock is released, so that the next tab in line reads it.
    if (isSessionEndedError(error)) noteSessionEnded(tab, error.reason);
    throw error;
  }
}

/**
 * Refreshes coordinated between the tabs of one browser: what a {@link TokenSource} whose session
 * every tab sees (Amplify's, in `localStorage`) gives as its `tabs`. The Amplify adapters carry
 * it in a browser document; a custom source whose session tabs share sets `tabs: browserTabs`.
 * Nothing of it is bundled for an app that does neither.
 *
 * @example
 * const source: TokenSource = { getTokens: (options) => mySessionStore.get({ refresh: options.forceRefresh }).then((s) => (s === 'dead' ? undefined : s)), tabs: browserTabs };
 */
export const browserTabs: TabCoordination = {
  shared: () => true,
  refresh(source, stale, abandon) {
    const tab = tabSessionOf(stale);
    if (!tab) return source.getTokens({ forceRefresh: true });
    return withTabLock(tab, (lock) => refreshUnlessRefreshedElsewhere(source, tab, stale, lock), abandon);
  },
  noteEnded(token, reason) {
    const tab = tabSessionOf(token);
    if (tab) noteSessionEnded(tab, reason);
  },
  onEndedElsewhere(listener) {
    return onSessionEndedElsewhere((tab, reason) => listener(reason, (token) => tabSessionOf(token) === tab));
  },
};

/**
 * True in a browser document whose Amplify session lives in `localStorage` (Amplify's default
 * there): every tab sees it, so tabs coordinate their refreshes. Not in Node, Deno, Bun, workers or
 * React Native (AsyncStorage), nor with a per-tab or cookie store.
 */
function sessionInLocalStorage(): boolean {
  const win = browserWindow();
  if (!win || !lockManager()) return false;
  try {
    for (let index = 0; index < win.localStorage.length; index++) {
      if (win.localStorage.key(index)?.startsWith(storagePrefix)) return true;
    }
  } catch {
    // Storage refused: nothing shared that this tab could see.
  }
  return false;
}

/** The Amplify adapters' `tabs`: shared once Amplify's session is in this browser's localStorage. */
export const amplifyTabs: TabCoordination = { ...browserTabs, shared: sessionInLocalStorage };
