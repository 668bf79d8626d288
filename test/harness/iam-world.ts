import { type LocalCognito, startLocalCognito } from './cognito.js';
import { type IamApi, startIamApi } from './iam-api.js';
import { type LocalIdentityPool, startLocalIdentityPool } from './identity-pool.js';

/** A user pool, an identity pool that trusts it, an API that verifies SigV4, and the Amplify v6 config for them. */
export interface IamWorld {
  cognito: LocalCognito;
  pool: LocalIdentityPool;
  api: IamApi;
  /** For `Amplify.configure`: guests allowed, both pools on 127.0.0.1. */
  amplifyConfig: {
    Auth: {
      Cognito: {
        userPoolId: string;
        userPoolClientId: string;
        userPoolEndpoint: string;
        identityPoolId: string;
        identityPoolEndpoint: string;
        allowGuestAccess: true;
      };
    };
  };
  stop(): Promise<void>;
}

export async function startIamWorld(): Promise<IamWorld> {
  const cognito = await startLocalCognito();
  const pool = await startLocalIdentityPool({ userPool: { issuer: cognito.issuer, jwksUrl: cognito.jwksUrl } });
  const api = await startIamApi({ region: pool.region, service: 'execute-api', credentials: (id) => pool.lookup(id) });
  return {
    cognito,
    pool,
    api,
    amplifyConfig: {
      Auth: {
        Cognito: {
          userPoolId: cognito.userPoolId,
          userPoolClientId: cognito.clientId,
          userPoolEndpoint: cognito.endpoint,
          identityPoolId: pool.identityPoolId,
          identityPoolEndpoint: pool.endpoint,
          allowGuestAccess: true,
        },
      },
    },
    stop: async () => void (await Promise.allSettled([api.stop(), pool.stop(), cognito.stop()])),
  };
}
