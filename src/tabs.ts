import { type BrowserWindow, browserWindow, lockManager } from './environment.js';
import { untilAborted } from './timeout.js';
import type { LogoutReason } from './types.js';

/**
 * Tabs of one browser share one Amplify session (it lives in localStorage). Two tabs refreshing
 * at once would spend one refresh token twice, which Cognito's refresh-token rotation punishes
 * with RefreshTokenReuseException, ending the session everywhere. So, for a source that says
 * `sharedAcrossTabs`, a refresh holds a Web Lock (as auth0-spa-js does) and a tab whose refresh
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
export type TabSession = string;

export function tabSessionOf(client: string | undefined, user: string | undefined): TabSession | undefined {
  return client && user ? `${client}:${user}` : undefined;
}

/**
 * Runs `task` holding the refresh lock of `session`. `task` learns whether it `waited`: another
 * tab held the lock first (and so probably just refreshed). An `abandon` abort gives up waiting for the lock,
 * and releases it at once if held: a hung refresh never blocks the next one.
 */
export async function withTabLock<T>(
  session: TabSession,
  task: (lock: { waited: boolean }) => Promise<T>,
  abandon: AbortSignal,
): Promise<T> {
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
export function noteSessionEnded(session: TabSession, reason: LogoutReason): void {
  try {
    // `at` makes every note a new value, so that the same reason twice is heard twice.
    storage(browserWindow())?.setItem(notePrefix + session, JSON.stringify({ reason, at: Date.now() }));
  } catch {
    // Storage refused (quota, privacy mode): the other tabs learn it on their next request.
  }
}

/** The reason another tab noted, within the last minute, for the end of this user's session. */
export function sessionEndedElsewhere(session: TabSession): LogoutReason | undefined {
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
export function onSessionEndedElsewhere(listener: (session: TabSession, reason: LogoutReason) => void): () => void {
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
