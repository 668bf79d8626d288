import type { SessionTokens, TokenSource } from '../types.js';
import { toSessionError } from './cognito-errors.js';
import { assertHub, type HubLike, subscribeToChanges, withRefreshFailure } from './hub.js';

interface JwtLike {
  toString(): string;
}

/** Amplify v6's `fetchAuthSession`, typed structurally (from `aws-amplify/auth`). */
export type FetchAuthSession = (options?: { forceRefresh?: boolean }) => Promise<{
  tokens?: { idToken?: JwtLike; accessToken: JwtLike } | undefined;
}>;

/**
 * A {@link TokenSource} for Amplify v6.
 *
 * With `hub` (Amplify's `Hub` from `aws-amplify/utils`) the source has `subscribe`, so the plugin
 * keeps the token in memory, and a dead refresh token ends the session with Cognito's reason.
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

  async function getTokens({ forceRefresh }: { forceRefresh: boolean }): Promise<SessionTokens | undefined> {
    let outcome;
    try {
      outcome = await withRefreshFailure(hub, () => fetchAuthSession({ forceRefresh }));
    } catch (error) {
      throw toSessionError(error);
    }
    const tokens = outcome.result.tokens;
    if (tokens) {
      return { idToken: tokens.idToken?.toString() ?? '', accessToken: tokens.accessToken.toString() };
    }
    // No tokens, and Hub saw the refresh fail: the session ended (or, before aws-amplify 6.15.8, a
    // transient error wiped it; that stays a transient error here, never a logout).
    if (outcome.failure) throw toSessionError(outcome.failure.error);
    return undefined;
  }

  return hub ? { getTokens, subscribe: subscribeToChanges(hub) } : { getTokens };
}
