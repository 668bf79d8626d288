import type { SessionTokens, TokenSource } from '../types.js';
import { toSessionError } from './cognito-errors.js';
import { type JwtLike, rawJwt } from './hub.js';

/**
 * Amplify v6's server-side `fetchAuthSession` (from `aws-amplify/auth/server`), typed structurally:
 * it takes the `contextSpec` that `runWithAmplifyServerContext` hands its operation.
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth/server';
 * import type { ContextSpec } from 'aws-amplify/adapter-core';
 * const read: ServerFetchAuthSession<ContextSpec> = fetchAuthSession;
 */
export type ServerFetchAuthSession<Context> = (
  contextSpec: Context,
  options?: { forceRefresh?: boolean },
) => Promise<{ tokens?: { idToken?: JwtLike; accessToken: JwtLike } | undefined }>;

/**
 * The session of one server request (Next.js Route Handler, Server Action, Server Component,
 * middleware, or any server with `runWithAmplifyServerContext`), as a {@link TokenSource}.
 *
 * - It keeps the tokens of its own refresh for the rest of that request: Amplify's server adapter
 *   reads the request's cookies, so after a forced refresh `fetchAuthSession(contextSpec)` would
 *   still answer the rejected token.
 * - It hears nothing process-wide: server-side refreshes dispatch Hub events on the process-wide
 *   Hub with no user in them, which would blame one user's failure on another.
 * - Nothing outlives the request: one source, one axios instance, one install per request.
 *
 * The refreshed tokens reach the browser where the context can set cookies (Route Handlers,
 * Server Actions, middleware); in a Server Component cookies are read-only and Amplify drops the
 * write, so the next request refreshes again.
 *
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth/server';
 * import { fromServerContext } from 'axios-amplify-auth/server';
 * await runWithAmplifyServerContext({ nextServerContext: { request, response }, operation: async (contextSpec) => {
 *   const api = axios.create({ baseURL: process.env.API_URL ?? 'http://127.0.0.1:4000' });
 *   const auth = installAmplifyAuth(api, { source: fromServerContext(fetchAuthSession, contextSpec) });
 *   try { return (await api.get('/me')).data; } finally { auth.uninstall(); }
 * } });
 */
export function fromServerContext<Context>(fetchAuthSession: ServerFetchAuthSession<Context & {}>, contextSpec: Context): TokenSource {
  if (typeof fetchAuthSession !== 'function') {
    throw new TypeError('fromServerContext: `fetchAuthSession` must be the server-side fetchAuthSession of aws-amplify/auth/server');
  }
  if (typeof contextSpec !== 'object' || contextSpec === null) {
    throw new TypeError('fromServerContext: `contextSpec` must be the context that runWithAmplifyServerContext hands its operation');
  }
  let refreshed: SessionTokens | undefined;
  let ended = false;

  return {
    async getTokens({ forceRefresh }) {
      if (ended) return undefined;
      if (!forceRefresh && refreshed) return refreshed;
      let found;
      try {
        found = (await fetchAuthSession(contextSpec, { forceRefresh })).tokens;
      } catch (error) {
        throw toSessionError(error);
      }
      const tokens = found ? { idToken: rawJwt(found.idToken), accessToken: rawJwt(found.accessToken) } : undefined;
      if (forceRefresh) {
        refreshed = tokens;
        // A forced refresh without tokens: the session of this request ended (the adapter has
        // cleared its cookies); a later read of the request's cookies would answer the dead tokens.
        ended = tokens === undefined;
      }
      return tokens;
    },
    // The session of one server request changes only through this source: the plugin may keep
    // its token in memory for the rest of the request.
    subscribe: () => () => {},
  };
}
