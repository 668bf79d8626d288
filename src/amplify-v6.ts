import { fetchAuthSession } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import type { AxiosInstance } from 'axios';
import { fromFetchAuthSession } from './adapters/fetch-auth-session.js';
import { multiUserServer } from './environment.js';
import { install } from './install.js';
import type { AmplifyAuth, AmplifyAuthOptions, TokenSource } from './types.js';

let sharedSource: TokenSource | undefined;

/**
 * The default source: one instance for the whole app, so that every axios instance installed with
 * defaults shares one refresh. Made on first use, so that importing the package does nothing.
 * @example
 * // The default source, explicitly: the same one every default install shares.
 * installAmplifyAuth(api, { source: amplifyV6Source(), tokenType: 'access' });
 */
export function amplifyV6Source(): TokenSource {
  return (sharedSource ??= fromFetchAuthSession(fetchAuthSession, Hub));
}

/**
 * Installs transparent Cognito authentication on an axios instance: the ID token on every allowed
 * request, one shared refresh and one retry after a 401, and `logout` when the session ends.
 * Without `source`, tokens come from Amplify v6 (`fetchAuthSession` and `Hub`).
 *
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * const auth = installAmplifyAuth(api);
 * auth.on('logout', ({ reason }) => router.push('/sign-in'));
 */
export function installAmplifyAuth(instance: AxiosInstance, options?: AmplifyAuthOptions): AmplifyAuth {
  return install(instance, options, defaultSource);
}

/** The default source, refused where one process serves many users: it is one user's session. */
function defaultSource(): TokenSource {
  const server = multiUserServer();
  if (server) {
    throw new TypeError(
      `installAmplifyAuth: the default source is Amplify's browser session, one user's; in ${server} every user's ` +
        "request would share it. On the server pass `source: fromServerContext(fetchAuthSession, contextSpec)` from 'axios-amplify-auth/server'",
    );
  }
  return amplifyV6Source();
}
