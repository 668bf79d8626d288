import type { LogoutReason } from './types.js';

/**
 * Tabs of one origin share one session (Amplify keeps it in localStorage). Two tabs refreshing at
 * once would spend one refresh token twice, which refresh-token rotation punishes with
 * RefreshTokenReuseException, ending the session everywhere (AMPLIFY-FACTS). So a refresh holds
 * an origin-wide Web Lock, as auth0-spa-js does, and a tab whose refresh ended the session leaves
 * a note in localStorage that the other tabs hear (`storage` event) or read (after the lock).
 * Outside a browser (Node, old browsers) neither exists and refreshes are single-flight per tab.
 */
interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal; ifAvailable?: boolean }, task: (lock: unknown) => Promise<T>): Promise<T>;
}

const lockName = 'axios-amplify-auth:refresh';
const noteKey = 'axios-amplify-auth:session-ended';
// A note older than this is about some earlier session.
const noteLifetimeMs = 60_000;
const reasons = new Set<string>([
  'revoked',
  'expired',
  'user-disabled',
  'user-not-found',
  'password-reset-required',
  'user-not-confirmed',
  'refresh-token-reused',
  'session-ended',
] satisfies LogoutReason[]);

const page = (): (Window & typeof globalThis) | undefined => (typeof window === 'undefined' ? undefined : window);

function lockManager(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

/** True where refreshes can be coordinated across tabs. */
export function hasRefreshLock(): boolean {
  return lockManager() !== undefined;
}

/**
 * Runs `task` holding the origin-wide refresh lock; `signal` gives up waiting for it. `task`
 * learns whether another tab held the lock first (and so probably just refreshed).
 */
export async function withRefreshLock<T>(task: (waited: boolean) => Promise<T>, signal: AbortSignal): Promise<T> {
  const manager = lockManager();
  if (!manager) return task(false);
  const free = await manager.request(lockName, { ifAvailable: true }, async (lock) => (lock ? { value: await task(false) } : undefined));
  return free ? free.value : manager.request(lockName, { signal }, () => task(true));
}

function readNote(value: string | null): LogoutReason | undefined {
  try {
    const note = JSON.parse(value ?? 'null') as { reason?: unknown; at?: unknown } | null;
    const fresh = typeof note?.at === 'number' && Date.now() - note.at < noteLifetimeMs;
    return fresh && typeof note.reason === 'string' && reasons.has(note.reason) ? (note.reason as LogoutReason) : undefined;
  } catch {
    return undefined;
  }
}

/** Tells the other tabs that the session ended, and why. */
export function noteSessionEnded(reason: LogoutReason): void {
  try {
    // `at` makes every note a new value, so that the same reason twice is heard twice.
    page()?.localStorage.setItem(noteKey, JSON.stringify({ reason, at: Date.now() }));
  } catch {
    // Storage refused (quota, privacy mode): the other tabs learn it on their next request.
  }
}

/** The reason another tab noted for a session that ended within the last minute. */
export function sessionEndedElsewhere(): LogoutReason | undefined {
  try {
    return readNote(page()?.localStorage.getItem(noteKey) ?? null);
  } catch {
    return undefined;
  }
}

/** Calls `listener` when another tab notes that the session ended; returns the unsubscribe function. */
export function onSessionEndedElsewhere(listener: (reason: LogoutReason) => void): () => void {
  const target = page();
  const onStorage = (event: StorageEvent): void => {
    const reason = event.key === noteKey ? readNote(event.newValue) : undefined;
    if (reason) listener(reason);
  };
  target?.addEventListener('storage', onStorage);
  return () => target?.removeEventListener('storage', onStorage);
}
