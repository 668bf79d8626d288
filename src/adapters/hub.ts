/**
 * The part of Amplify's `Hub` that the adapters use, typed structurally so that the real v6 and
 * v5 `Hub` fit without a cast and without an import of `aws-amplify`.
 */
export interface HubLike {
  listen(channel: 'auth', callback: (capsule: { payload: { event: string; data?: unknown } }) => void): () => void;
}

// v6 names first, then v5's: a session appeared, went away, or got new tokens elsewhere.
const changeEvents = new Set(['signedIn', 'signedOut', 'tokenRefresh', 'signIn', 'signOut']);

export function assertHub(hub: unknown, adapter: string): asserts hub is HubLike | undefined {
  if (hub === undefined) return;
  if (typeof hub !== 'object' || hub === null || typeof (hub as { listen?: unknown }).listen !== 'function') {
    throw new TypeError(`${adapter}: \`hub\` must be Amplify's Hub (an object with a \`listen\` function)`);
  }
}

// Amplify v5 and v6 keep Cognito's tokens under keys with this prefix.
const storagePrefix = 'CognitoIdentityServiceProvider.';

/**
 * `TokenSource.subscribe` on top of Hub's `auth` channel and, in a browser, of `storage` events:
 * another tab's sign-in, sign-out or refresh reaches this tab only as a write to the shared
 * storage, and must drop the token this tab keeps in memory.
 */
export function subscribeToChanges(hub: HubLike): (onChange: () => void) => () => void {
  return (onChange) => {
    const stopHub = hub.listen('auth', ({ payload }) => {
      if (changeEvents.has(payload.event)) onChange();
    });
    const page = typeof window === 'undefined' ? undefined : window;
    // `key` is null when the whole storage was cleared.
    const onStorage = (event: StorageEvent): void => {
      if (event.key === null || event.key.startsWith(storagePrefix)) onChange();
    };
    page?.addEventListener('storage', onStorage);
    return () => {
      stopHub();
      page?.removeEventListener('storage', onStorage);
    };
  };
}

/**
 * Runs `task` while listening for `tokenRefresh_failure`, and returns what the task returned with
 * the failure Hub reported meanwhile. Amplify v6 does not throw when the refresh token is dead: it
 * resolves without tokens and tells only Hub why (see AMPLIFY-FACTS, "When the refresh fails").
 */
export async function withRefreshFailure<T>(
  hub: HubLike | undefined,
  task: () => Promise<T>,
): Promise<{ result: T; failure: { error: unknown } | undefined }> {
  let failure: { error: unknown } | undefined;
  const stop = hub?.listen('auth', ({ payload }) => {
    if (payload.event !== 'tokenRefresh_failure') return;
    const data = payload.data;
    // v6 sends `{ error }`; v5 sends the error itself.
    const error = typeof data === 'object' && data !== null && 'error' in data ? data.error : data;
    failure = { error };
  });
  try {
    return { result: await task(), failure };
  } finally {
    stop?.();
  }
}
