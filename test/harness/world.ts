import { type LocalCognito, type LocalCognitoOptions, startLocalCognito } from './cognito.js';
import { type ProtectedApi, startProtectedApi } from './protected-api.js';
import { delay } from '../support/time.js';

export interface LocalWorld {
  cognito: LocalCognito;
  api: ProtectedApi;
  /** `Amplify.configure`'s argument for this world. */
  amplifyConfig: { Auth: { Cognito: { userPoolId: string; userPoolClientId: string; userPoolEndpoint: string } } };
  /**
   * Makes the API reject every token issued so far. Waits for the next second first, so that a
   * token refreshed from now on (whose `iat` is in a later second) passes.
   */
  rejectCurrentTokens(): Promise<void>;
  stop(): Promise<void>;
}

/** A local Cognito and an API that trusts it: what the end-to-end tests and the demo run against. */
export async function startLocalWorld(options: LocalCognitoOptions = {}): Promise<LocalWorld> {
  const cognito = await startLocalCognito(options);
  const api = await startProtectedApi({ issuer: cognito.issuer, jwksUrl: cognito.jwksUrl, audience: cognito.clientId }).catch(
    async (error: unknown) => {
      await cognito.stop();
      throw error;
    },
  );
  return {
    cognito,
    api,
    amplifyConfig: {
      Auth: { Cognito: { userPoolId: cognito.userPoolId, userPoolClientId: cognito.clientId, userPoolEndpoint: cognito.endpoint } },
    },
    async rejectCurrentTokens() {
      // Tokens carry whole seconds (`iat`): start the cut-off at the next second.
      await delay(1000 - (Date.now() % 1000) + 5);
      api.rejectIssuedBefore(Date.now());
    },
    async stop() {
      await Promise.allSettled([api.stop(), cognito.stop()]);
    },
  };
}
