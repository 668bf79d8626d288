import type { SessionTokens, TokenSource } from '../types.js';
import { toSessionError } from './cognito-errors.js';
import { browserWindow } from '../environment.js';
import { amplifyV5Expiry } from './amplify-storage.js';
import { amplifyTabs } from './tabs.js';
import { assertHub, type HubLike, subscribeToChanges } from './hub.js';

interface CognitoSessionLike {
  getIdToken(): { getJwtToken(): string };
  getAccessToken(): { getJwtToken(): string };
  getRefreshToken(): unknown;
}

interface CognitoUserLike {
  refreshSession(refreshToken: never, callback: (error: unknown, session: CognitoSessionLike) => void): void;
}

/**
 * Amplify v5's `Auth`, typed structurally (from `aws-amplify` 5 or `@aws-amplify/auth` 5).
 * @example
 * import { Auth } from 'aws-amplify'; // v5
 * const auth: AuthV5Like = Auth;
 */
export interface AuthV5Like {
  currentSession(): Promise<CognitoSessionLike>;
  currentAuthenticatedUser(): Promise<CognitoUserLike>;
}

// v5 rejects with these plain strings when nobody is signed in.
const notSignedIn = new Set(['No current user', 'The user is not authenticated']);

function tokensOf(session: CognitoSessionLike): SessionTokens {
  return {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
  };
}

async function refreshSession(Auth: AuthV5Like): Promise<CognitoSessionLike> {
  const user = await Auth.currentAuthenticatedUser();
  const session = await Auth.currentSession();
  return new Promise((resolve, reject) => {
    user.refreshSession(session.getRefreshToken() as never, (error, refreshed) => (error ? reject(error) : resolve(refreshed)));
  });
}

/**
 * A {@link TokenSource} for Amplify v5: `Auth.currentSession()`, and a forced refresh through
 * `currentAuthenticatedUser()` and `user.refreshSession(refreshToken, callback)`.
 * With `hub`, the source has `subscribe`, so the plugin keeps the token in memory.
 *
 * @example
 * import { Auth, Hub } from 'aws-amplify'; // v5
 * installAmplifyAuth(api, { source: fromCurrentSession(Auth, Hub) });
 */
export function fromCurrentSession(Auth: AuthV5Like, hub?: HubLike): TokenSource {
  if (
    typeof Auth !== 'object' ||
    Auth === null ||
    typeof Auth.currentSession !== 'function' ||
    typeof Auth.currentAuthenticatedUser !== 'function'
  ) {
    throw new TypeError('fromCurrentSession: `Auth` must be Amplify v5 `Auth` (with `currentSession`)');
  }
  assertHub(hub, 'fromCurrentSession');
  // In a browser document: the tabs share Amplify's session once it is in localStorage.
  const tabs = hub && browserWindow() ? amplifyTabs(amplifyV5Expiry) : undefined;

  /** `currentSession()` refreshes an expired session itself: where tabs share it, under the tab lock. */
  function getTokens(options: { forceRefresh: boolean }): Promise<SessionTokens | undefined> {
    if (tabs && !options.forceRefresh) return tabs.read(() => sessionTokens(false), options);
    return sessionTokens(options.forceRefresh);
  }

  async function sessionTokens(forceRefresh: boolean): Promise<SessionTokens | undefined> {
    try {
      return tokensOf(forceRefresh ? await refreshSession(Auth) : await Auth.currentSession());
    } catch (error) {
      if (typeof error === 'string' && notSignedIn.has(error)) return undefined;
      throw toSessionError(error);
    }
  }

  if (!hub) return { getTokens };
  return { getTokens, subscribe: subscribeToChanges(hub), ...(tabs && { tabs }) };
}
