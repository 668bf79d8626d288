import type { AxiosInstance } from 'axios';
import { subscribeToChanges } from '../adapters/hub.js';
import { multiUserServer } from '../environment.js';
import type { AmplifyAuth, TokenSource } from '../types.js';
import { type CredentialsSource, fromAmplifyCredentials } from './credentials.js';
import { type AmplifyIamOptions, installIam } from './install.js';
import { credentialsTokenSource } from './source.js';

type Amplify = { credentials: CredentialsSource; Hub: Parameters<typeof subscribeToChanges>[0] };
let amplify: Promise<Amplify> | undefined;

/**
 * aws-amplify, loaded on first use of the default: an app that passes its own `credentials` needs
 * none of it installed. Renewing goes through `cognitoCredentialsProvider.clearCredentials()`, so
 * that new credentials never spend the refresh token.
 */
function loadAmplify(): Promise<Amplify> {
  return (amplify ??= Promise.all([import('aws-amplify/auth'), import('aws-amplify/auth/cognito'), import('aws-amplify/utils')]).then(
    ([auth, cognito, utils]) => ({
      credentials: fromAmplifyCredentials(auth.fetchAuthSession, {
        clearCredentials: () => cognito.cognitoCredentialsProvider.clearCredentials(),
      }),
      Hub: utils.Hub,
    }),
    (error: unknown) => {
      amplify = undefined;
      throw new TypeError(
        'installAmplifyIam: without `credentials`, credentials come from aws-amplify v6, which could not be loaded: install it, or pass `credentials`',
        { cause: error },
      );
    },
  ));
}

let sharedSource: TokenSource | undefined;

/**
 * The identity pool's credentials from Amplify v6, one source for the whole app (every instance
 * shares one credentials call at a time). Hub's `signedIn` and `signedOut` are identity changes: a
 * guest's credentials are never used for the user, nor one user's for another.
 */
function amplifyV6Credentials(): TokenSource {
  const server = multiUserServer();
  if (server) {
    throw new TypeError(
      `installAmplifyIam: the default credentials are Amplify's browser session, one user's; in ${server} every user's request would share them. Pass \`credentials\``,
    );
  }
  return (sharedSource ??= credentialsTokenSource(
    { getCredentials: async (options) => (await loadAmplify()).credentials.getCredentials(options) },
    (onChange) => {
      let stop: (() => void) | undefined;
      let stopped = false;
      loadAmplify().then(
        ({ Hub }) => {
          if (stopped) return;
          stop = subscribeToChanges(Hub)(onChange);
          // Whatever Hub said while aws-amplify loaded was not heard: memory is read again.
          onChange('tokens');
        },
        // The credentials calls report it.
        () => {},
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
  ));
}

/**
 * Signs every allowed request with AWS Signature V4, for APIs that authorize with IAM (API Gateway
 * with IAM auth, Lambda function URLs, AppSync): after axios serialized it, over the bytes, URL and
 * headers really sent, with the Cognito identity pool's temporary credentials (Amplify v6 by
 * default: guest or signed in). Credentials are kept until shortly before they expire; one call
 * for new ones at a time however many requests and instances wait; a request rejected because its
 * credentials expired, or its signature's time was off, is retried once (with new credentials, or
 * signed at the server's time). The handle and events are `installAmplifyAuth`'s.
 *
 * @example
 * import axios from 'axios';
 * import { installAmplifyIam } from 'axios-amplify-auth/iam';
 * const api = axios.create({ baseURL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' });
 * const iam = installAmplifyIam(api, { region: 'eu-west-1', service: 'execute-api' });
 * iam.on('logout', ({ reason }) => router.push('/sign-in'));
 */
export function installAmplifyIam(instance: AxiosInstance, options: AmplifyIamOptions): AmplifyAuth {
  return installIam(instance, options, amplifyV6Credentials);
}
