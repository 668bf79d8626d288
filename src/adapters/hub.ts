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

/** `TokenSource.subscribe` on top of Hub's `auth` channel. */
export function subscribeToHub(hub: HubLike): (onChange: () => void) => () => void {
  return (onChange) =>
    hub.listen('auth', ({ payload }) => {
      if (changeEvents.has(payload.event)) onChange();
    });
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
