import { browserWindow } from '../environment.js';
import { otherUser, readClaims } from '../jwt.js';
import type { SessionTokens, SourceChange } from '../types.js';
import { logoutReasonOf } from './cognito-errors.js';

/**
 * The part of Amplify's `Hub` that the adapters use, typed structurally so that the real v6 and
 * v5 `Hub` fit without a cast and without an import of `aws-amplify`.
 * @example
 * import { Hub } from 'aws-amplify/utils';
 * const hub: HubLike = Hub;
 */
export interface HubLike {
  listen(channel: 'auth', callback: (capsule: { payload: { event: string; data?: unknown } }) => void): () => void;
}

// v6 names first, then v5's.
const sessionEvents = new Set(['signedIn', 'signedOut', 'signIn', 'signOut']);
const tokenEvents = new Set(['tokenRefresh']);

export function assertHub(hub: unknown, adapter: string): asserts hub is HubLike | undefined {
  if (hub === undefined) return;
  if (typeof hub !== 'object' || hub === null || typeof (hub as { listen?: unknown }).listen !== 'function') {
    throw new TypeError(`${adapter}: \`hub\` must be Amplify's Hub (an object with a \`listen\` function)`);
  }
}

/**
 * Listens to the `auth` channel, other tabs' events included: aws-amplify ≥ 6.22 dispatches
 * another tab's `signedIn` / `signedOut` / `tokenRefresh` only to listeners registered with
 * `{ enableCrossTabEvents: true }` (core `Hub/index.ts`); earlier versions take the third
 * argument as a listener name and ignore it.
 */
function listenToAuth(hub: HubLike, callback: Parameters<HubLike['listen']>[1]): () => void {
  return (hub.listen as (channel: 'auth', cb: typeof callback, options: object) => () => void)('auth', callback, {
    enableCrossTabEvents: true,
  });
}

// Amplify v5 and v6 keep Cognito's tokens under keys with this prefix.
export const storagePrefix = 'CognitoIdentityServiceProvider.';

/**
 * What Amplify v6 hands out for a token: a JWT object whose `toString()` is the compact JWT.
 * @example
 * const token: JwtLike = { toString: () => 'eyJ…' }; // Amplify v6's JWT objects fit as they are
 */
export interface JwtLike {
  toString(): string;
}

/**
 * The compact JWT of Amplify's token object. Anything else is handed on as it is, so that the
 * plugin rejects it as the source's mistake instead of sending `[object Object]`.
 */
export function rawJwt(jwt: JwtLike | undefined): string {
  if (jwt === undefined) return '';
  if (typeof jwt !== 'object' || jwt === null) return jwt as unknown as string;
  const { toString } = jwt as { toString?: unknown };
  if (typeof toString !== 'function' || toString === Object.prototype.toString) return jwt as unknown as string;
  return (toString as () => unknown).call(jwt) as string;
}

/** The error of a Hub `tokenRefresh_failure`: v6 sends `{ error }`, v5 the error itself. */
function refreshError(data: unknown): unknown {
  return typeof data === 'object' && data !== null && 'error' in data ? data.error : data;
}

/**
 * What Hub says about the user: who signed in last (`signedIn` carries `userId`, the ID token's
 * `sub`), or that nobody is. `undefined` until Hub says anything (a page loaded signed in).
 */
export class HubUser {
  /** `sub` of the user Hub announced; `null` after a sign-out; `undefined` while unknown. */
  announced: string | null | undefined;
  /**
   * Hub announced another user's sign-in with no sign-out between. In one tab Amplify refuses a
   * second sign-in, so this came from another tab's storage: an old user's late refresh written
   * over the session. No tokens are this tab's user's until the next sign-out.
   */
  #conflict = false;

  hear(event: string, data: unknown): void {
    if (event === 'signedIn') {
      const userId = typeof data === 'object' && data !== null ? (data as { userId?: unknown }).userId : undefined;
      const user = typeof userId === 'string' ? userId : undefined;
      if (typeof this.announced === 'string' && user !== undefined && user !== this.announced) this.#conflict = true;
      this.announced = user;
    } else if (event === 'signedOut') {
      this.announced = null;
      this.#conflict = false;
    }
  }

  /** Forgets what Hub said: it may be out of date (a new subscription). */
  forget(): void {
    this.announced = undefined;
    this.#conflict = false;
  }

  /** False when `tokens` belong to another user than the one Hub announced. */
  owns(tokens: SessionTokens): boolean {
    if (this.#conflict) return false;
    if (this.announced === undefined) return true;
    // A token whose `sub` cannot be read is not another user's: only Hub's events tell then.
    return this.announced !== null && !otherUser(readClaims(tokens.idToken || tokens.accessToken).sub, this.announced);
  }
}

/**
 * `TokenSource.subscribe` on top of Hub's `auth` channel and, in a browser, of `storage` events
 * (for Amplify versions without cross-tab Hub events): a sign-in or sign-out is a session change,
 * a refresh elsewhere only new tokens, and a refresh that met a dead refresh token — the app's
 * own `fetchAuthSession`, or Amplify's API and Storage categories — ends the session with its reason.
 */
export function subscribeToChanges(hub: HubLike, user?: HubUser): (onChange: (change?: SourceChange) => void) => () => void {
  return (onChange) => {
    // Whatever Hub said before this subscription may be out of date: the user is unknown again.
    user?.forget();
    const stopHub = listenToAuth(hub, ({ payload }) => {
      user?.hear(payload.event, payload.data);
      if (sessionEvents.has(payload.event)) onChange();
      else if (tokenEvents.has(payload.event)) onChange('tokens');
      else if (payload.event === 'tokenRefresh_failure') {
        const error = refreshError(payload.data);
        const ended = logoutReasonOf(error);
        // After Hub said that nobody is signed in, a failed refresh is a dead session's: nobody's logout.
        if (ended && user?.announced !== null) onChange({ ended, error });
      }
    });
    const win = browserWindow();
    // `key` is null when the whole storage was cleared; a removed or new user is a session change.
    const onStorage = (event: StorageEvent): void => {
      const { key } = event;
      if (key !== null && !key.startsWith(storagePrefix)) return;
      const sessionChange = key === null || key.endsWith('.LastAuthUser') || event.newValue === null || event.oldValue === null;
      onChange(sessionChange ? undefined : 'tokens');
    };
    win?.addEventListener('storage', onStorage);
    return () => {
      stopHub();
      win?.removeEventListener('storage', onStorage);
    };
  };
}

/**
 * Runs `task` while listening for `tokenRefresh_failure`, and returns what the task returned with
 * the failure Hub reported meanwhile. Amplify v6 does not throw when the refresh token is dead: it
 * resolves without tokens and tells only Hub why (`TokenOrchestrator.handleErrors` dispatches
 * the failure before `fetchAuthSession` settles).
 */
export async function withRefreshFailure<T>(
  hub: HubLike | undefined,
  task: () => Promise<T>,
): Promise<{ result: T; failure: { error: unknown } | undefined }> {
  let failure: { error: unknown } | undefined;
  const stop = hub?.listen('auth', ({ payload }) => {
    if (payload.event === 'tokenRefresh_failure') failure = { error: refreshError(payload.data) };
  });
  try {
    return { result: await task(), failure };
  } finally {
    stop?.();
  }
}
