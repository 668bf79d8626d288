import { fetchAuthSession } from 'aws-amplify/auth';
import { cognitoCredentialsProvider } from 'aws-amplify/auth/cognito';
import { Hub } from 'aws-amplify/utils';
import type { AxiosInstance } from 'axios';
import { subscribeToChanges } from '../adapters/hub.js';
import { multiUserServer } from '../environment.js';
import type { AmplifyAuth, TokenSource } from '../types.js';
import { fromAmplifyCredentials } from './credentials.js';
import { type AmplifyIamOptions, installIam } from './install.js';
import { credentialsTokenSource } from './source.js';

let sharedSource: TokenSource | undefined;

/**
 * The identity pool's credentials from Amplify v6, one source for the whole app (every instance
 * shares one credentials call at a time). New credentials are asked for without refreshing the
 * user's tokens (`cognitoCredentialsProvider.clearCredentials()`, then `fetchAuthSession()`), so
 * that renewing credentials never spends the refresh token. Hub's `signedIn` and `signedOut` are
 * identity changes: a guest's credentials are never used for the user, nor one user's for another.
 */
function amplifyV6Credentials(): TokenSource {
  const server = multiUserServer();
  if (server) {
    throw new TypeError(
      `installAmplifyIam: the default credentials are Amplify's browser session, one user's; in ${server} every user's request would share them. Pass \`credentials\``,
    );
  }
  return (sharedSource ??= credentialsTokenSource(
    fromAmplifyCredentials(fetchAuthSession, { clearCredentials: () => cognitoCredentialsProvider.clearCredentials() }),
    subscribeToChanges(Hub),
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
