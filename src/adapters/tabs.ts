import { type BrowserWindow, browserWindow, lockManager } from '../environment.js';
import { isSessionEndedError, SessionEndedError } from '../errors.js';
import { readClaims } from '../jwt.js';
import { abandonSignalOf, checked, holds } from '../session.js';
import { untilAborted } from '../timeout.js';
import type { LogoutReason, SessionTokens, TabCoordination, TokenSource } from '../types.js';
import { type ExpiryRule, type StoredSession, storedSession } from './amplify-storage.js';
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
 *
 * Amplify also refreshes inside a plain read of the session when the stored token is expired (or
 * within its tolerance): the Amplify adapters read the stored session first ({@link storedSession})
 * and make such a read under the same lock ({@link AmplifyTabs.read}), and a tab that holds the
 * lock never reads tokens that a read would refresh: only its one refresh may spend the token.
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

interface Note {
  reason: LogoutReason;
  /** When the session ended, by this device's clock (ms). */
  at: number;
}

function readNote(value: string | null | undefined): Note | undefined {
  try {
    const note = JSON.parse(value ?? 'null') as { reason?: unknown; at?: unknown } | null;
    const fresh = typeof note?.at === 'number' && Date.now() - note.at < noteLifetimeMs;
    return fresh && typeof note.reason === 'string' && Object.prototype.hasOwnProperty.call(reasons, note.reason)
      ? { reason: note.reason as LogoutReason, at: note.at as number }
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

/**
 * Tells the other tabs that the session of user `sub` of app client `client` ended: what the Amplify
 * v6 adapter says when Amplify reports the end of the session of the user Hub announced, of which this
 * tab may hold no token (Amplify cleared the stored session, whosever it was).
 */
export function noteUserSessionEnded(client: string, sub: string, reason: LogoutReason): void {
  noteSessionEnded(`${client}:${sub}`, reason);
}

/**
 * The reason another tab noted, within the last minute, for the end of this user's session; with
 * `issuedAt`, only a note written after the tokens of that moment were issued (they are of the session
 * that ended, not of a sign-in since).
 */
function sessionEndedElsewhere(session: TabSession, issuedAt = -Infinity): LogoutReason | undefined {
  try {
    const note = readNote(storage(browserWindow())?.getItem(notePrefix + session));
    return note && note.at >= issuedAt ? note.reason : undefined;
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
    const note = readNote(event.newValue);
    if (note) listener(event.key.slice(notePrefix.length), note.reason);
  };
  win.addEventListener('storage', onStorage);
  return () => win.removeEventListener('storage', onStorage);
}

/** The session stored in the shared storage, as the Amplify adapters read it directly; `undefined` when none. */
type Peek = () => StoredSession | undefined;

// The calls to the source that a tab makes while it holds the lock: they must not ask for it again.
const underLock = new WeakSet<object>();

/** The options of a read made while the lock is held: the Amplify adapters read at once. */
function lockedRead(): { forceRefresh: boolean } {
  const options = { forceRefresh: false };
  underLock.add(options);
  return options;
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, storageSyncPauseMs));

/**
 * With the lock held, for the Amplify adapters (`peek` reads Amplify's stored session directly):
 * whether the stored tokens are still ones that a plain read would refresh inside Amplify, so that
 * this tab must refresh them. After a wait it looks again for a while, until the other tab's
 * refreshed tokens reach this tab's storage. Throws the end that another tab noted since the stored
 * tokens were issued (or, once the storage is cleared, at all): they are of the session that ended.
 */
async function stillExpired(tab: TabSession, peek: Peek, waited: boolean): Promise<boolean> {
  for (let look = 1; ; look++) {
    const stored = peek();
    const ended = sessionEndedElsewhere(tab, stored ? stored.issuedAt : -Infinity);
    if (ended && !(stored && !stored.refreshesOnRead)) throw new SessionEndedError(ended);
    if (!stored?.refreshesOnRead) return false;
    if (!waited || look >= storageSyncLooks) return true;
    await pause();
  }
}

/**
 * With the lock held: another tab may have refreshed (or ended the session) while this one
 * waited, and the shared storage already says so. Only otherwise is Cognito asked. Another
 * tab's writes reach this tab's storage a moment after its lock is released (Chromium syncs
 * localStorage between processes asynchronously), so after a wait it looks again for a while.
 * With `peek` (the Amplify adapters), stored tokens that a read would refresh are not read: only
 * the one refresh below may spend their refresh token.
 */
async function refreshUnlessRefreshedElsewhere(
  source: TokenSource,
  tab: TabSession,
  stale: string,
  { waited }: { waited: boolean },
  abandon: AbortSignal,
  peek?: Peek,
): Promise<SessionTokens | undefined> {
  for (let look = 1; peek === undefined || !(await stillExpired(tab, peek, waited)); look++) {
    const current = checked(await source.getTokens(lockedRead()));
    if (current && !holds(current, stale)) return current;
    const endedElsewhere = current ? undefined : sessionEndedElsewhere(tab);
    if (endedElsewhere) throw new SessionEndedError(endedElsewhere);
    if (!waited || look >= storageSyncLooks) break;
    await pause();
  }
  return noteIfEnded(tab, source.getTokens({ forceRefresh: true }), abandon);
}

/**
 * `call`; when it ends the session, the other tabs are told before the lock is released, so that the
 * next tab in line reads it — unless the plugin gave the call up (`abandon`): the session it was made
 * for was left (a sign-out, another user) and its end is nobody's to announce.
 */
async function noteIfEnded(
  tab: TabSession,
  call: Promise<SessionTokens | undefined>,
  abandon: AbortSignal,
): Promise<SessionTokens | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isSessionEndedError(error) && !abandon.aborted) noteSessionEnded(tab, error.reason);
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
    return withTabLock(tab, (lock) => refreshUnlessRefreshedElsewhere(source, tab, stale, lock, abandon), abandon);
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

/** The Amplify adapters' `tabs`, and the read that they make under the tab lock when it would refresh. */
export interface AmplifyTabs extends TabCoordination {
  /**
   * `read` (a plain read of Amplify's session), under the refresh lock when the stored tokens are
   * ones that Amplify refreshes inside a read; at once otherwise, or when the caller holds the lock.
   * `options` are those of the `getTokens` call: they carry whether the lock is held, and the
   * signal that abandons the call (see `readOptions` in session.ts).
   */
  read(read: () => Promise<SessionTokens | undefined>, options: object): Promise<SessionTokens | undefined>;
}

/**
 * The Amplify adapters' `tabs`: shared once Amplify's session is in this browser's localStorage;
 * `rule` is how that Amplify version tells that a stored token is expired.
 */
export function amplifyTabs(rule: ExpiryRule): AmplifyTabs {
  return {
    ...browserTabs,
    shared: sessionInLocalStorage,
    refresh(source, stale, abandon) {
      const tab = tabSessionOf(stale);
      if (!tab) return source.getTokens({ forceRefresh: true });
      const peek = () => storedSession(rule, readClaims(stale).client);
      return withTabLock(tab, (lock) => refreshUnlessRefreshedElsewhere(source, tab, stale, lock, abandon, peek), abandon);
    },
    read(read, options) {
      // A plain read of stored tokens that Amplify refreshes inside the read: under the lock, as a
      // refresh. A tab that waited takes the tokens the other tab stored, or the end it noted.
      const peek = () => storedSession(rule, undefined);
      const stored = underLock.has(options) || !sessionInLocalStorage() ? undefined : peek();
      const tab = stored?.refreshesOnRead ? tabSessionOf(stored.accessToken) : undefined;
      if (!tab) return read();
      const abandon = abandonSignalOf(options) ?? new AbortController().signal;
      return withTabLock(
        tab,
        async ({ waited }) => ((await stillExpired(tab, peek, waited)) ? noteIfEnded(tab, read(), abandon) : read()),
        abandon,
      );
    },
  };
}
