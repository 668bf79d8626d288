import { browserWindow } from '../environment.js';
import { AmplifyAuthError } from '../errors.js';
import { readClaims } from '../jwt.js';
import type { SessionTokens, SourceChange, TokenSource } from '../types.js';
import { amplifyV6Expiry } from './amplify-storage.js';
import { toSessionError } from './cognito-errors.js';
import { amplifyTabs, noteUserSessionEnded } from './tabs.js';
import { assertHub, type HubLike, HubUser, type JwtLike, rawJwt, subscribeToChanges, withRefreshFailure } from './hub.js';

/**
 * Amplify v6's `fetchAuthSession`, typed structurally (from `aws-amplify/auth`).
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth';
 * const read: FetchAuthSession = fetchAuthSession;
 */
export type FetchAuthSession = (options?: { forceRefresh?: boolean }) => Promise<{
  tokens?: { idToken?: JwtLike; accessToken: JwtLike } | undefined;
}>;

/**
 * A {@link TokenSource} for Amplify v6.
 *
 * With `hub` (Amplify's `Hub` from `aws-amplify/utils`) the source has `subscribe`, so the plugin
 * keeps the token in memory, a dead refresh token ends the session with Cognito's reason, and no
 * token of another user than the one Hub `signedIn` announced is ever handed out: Amplify writes
 * an old user's late refresh over a new sign-in (such a read rejects with `SESSION_CHANGED`).
 *
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth';
 * import { Hub } from 'aws-amplify/utils';
 * installAmplifyAuth(api, { source: fromFetchAuthSession(fetchAuthSession, Hub) });
 */
export function fromFetchAuthSession(fetchAuthSession: FetchAuthSession, hub?: HubLike): TokenSource {
  if (typeof fetchAuthSession !== 'function') {
    throw new TypeError('fromFetchAuthSession: `fetchAuthSession` must be a function');
  }
  assertHub(hub, 'fromFetchAuthSession');
  const user = hub ? new HubUser() : undefined;
  // In a browser document: the tabs share Amplify's session once it is in localStorage.
  const tabs = hub && browserWindow() ? amplifyTabs(amplifyV6Expiry) : undefined;
  // The user-pool app client of the tokens Amplify handed out last.
  let client: string | undefined;

  /**
   * A plain read refreshes inside Amplify when the stored token is within 5 s of expiry: where tabs
   * share the session, such a read is made under the tab lock, as a refresh is.
   */
  function getTokens(options: { forceRefresh: boolean }): Promise<SessionTokens | undefined> {
    if (tabs && !options.forceRefresh) return tabs.read(() => sessionTokens(false), options);
    return sessionTokens(options.forceRefresh);
  }

  async function sessionTokens(forceRefresh: boolean): Promise<SessionTokens | undefined> {
    let outcome;
    try {
      outcome = await withRefreshFailure(hub, () => fetchAuthSession({ forceRefresh }));
    } catch (error) {
      throw toSessionError(error);
    }
    const found = outcome.result.tokens;
    if (found) {
      const tokens = { idToken: rawJwt(found.idToken), accessToken: rawJwt(found.accessToken) };
      if (typeof tokens.accessToken === 'string') client = readClaims(tokens.accessToken).client ?? client;
      if (user && !user.owns(tokens)) {
        if (user.announced === null) return undefined; // signed out: a dead session's late write
        throw new AmplifyAuthError('SESSION_CHANGED', "Amplify's session holds another user's tokens than the one who signed in");
      }
      return tokens;
    }
    // No tokens, and Hub saw the refresh fail: the session ended (a transient failure keeps
    // Amplify's tokens from aws-amplify 6.15.8 on, and throws).
    if (outcome.failure) throw toSessionError(outcome.failure.error);
    return undefined;
  }

  if (!hub) return { getTokens };
  const subscribe = subscribeToChanges(hub, user);
  if (!tabs) return { getTokens, subscribe };
  return {
    getTokens,
    // Amplify reported the end of the session (it cleared the stored session, whosever it was): the
    // other tabs learn it for the user Hub announced, even when this tab holds no token of that user.
    subscribe: (onChange) =>
      subscribe((change?: SourceChange) => {
        const ended = typeof change === 'object' ? change.ended : undefined;
        if (ended && client && typeof user?.announced === 'string') noteUserSessionEnded(client, user.announced, ended);
        onChange(change);
      }),
    tabs,
  };
}
