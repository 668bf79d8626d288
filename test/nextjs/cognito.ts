// A local Cognito that @aws-amplify/adapter-nextjs accepts: cognito-local with a Cognito-shaped
// pool id (`us-east-1_…`) and Cognito's issuer (`https://cognito-idp.us-east-1.amazonaws.com/<pool>`),
// behind a layer that counts refreshes per user, can slow one user's refreshes down, and revokes.
// (test/harness/cognito.ts makes `local_…` pools with a 127.0.0.1 issuer, which the adapter's
// token check, aws-jwt-verify, refuses: a token it cannot verify counts as no cookie.) Both start
// cognito-local through test/harness/cognito-local.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerAsCognito as answer, answeredPreflight, readBody, startCognitoLocal, target } from '../harness/cognito-local.js';

export const region = 'us-east-1';
export const cognitoHost = `cognito-idp.${region}.amazonaws.com`;

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

export interface RefreshRecord {
  username: string;
  started: number;
  finished: number;
  ok: boolean;
}

export interface NextCognito {
  /** Where Amplify (browser and server) talks to: the layer in front of cognito-local. */
  endpoint: string;
  /** cognito-local itself: the JWKS the Next server's key fetch is answered from. */
  direct: string;
  userPoolId: string;
  clientId: string;
  issuer: string;
  jwksUrl: string;
  password: string;
  /** `sub` of each user created. */
  readonly subs: ReadonlyMap<string, string>;
  createUser(username: string): Promise<string>;
  /** USER_PASSWORD_AUTH straight at cognito-local (not counted): tokens for a cookie jar. */
  signIn(username: string): Promise<Tokens>;
  /** Refreshes that reached Cognito, per username (decoded from the refresh token). */
  refreshesOf(username: string): number;
  readonly refreshes: readonly RefreshRecord[];
  /** Holds every refresh of `username` this long before answering it. */
  slowRefresh: Map<string, number>;
  /** Revokes every refresh token handed out to `username`. */
  revoke(username: string): Promise<void>;
  stop(): Promise<void>;
}

/** The payload of a JWT, unverified (the tests' own bookkeeping). */
export function claims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function startNextCognito({ password = 'Correct-Horse-9', tokenSeconds = 3600 } = {}): Promise<NextCognito> {
  // cognito-local keeps one JSON file per pool in .cognito/db, named after the pool id: a pool
  // written there before it starts has the id we choose.
  const userPoolId = `${region}_NextJs${Math.random().toString(36).slice(2, 8)}`;
  const cognito = await startCognitoLocal({
    issuerDomain: `https://${cognitoHost}`,
    pool: { id: userPoolId, name: 'nextjs', arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${userPoolId}` },
  });
  const { direct, call } = cognito;

  let proxy: Server | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const stop = async () => {
    for (const timer of timers) clearTimeout(timer);
    proxy?.closeAllConnections();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    await cognito.stop();
  };

  try {
    const { UserPoolClient } = await call<{ UserPoolClient: { ClientId: string } }>('CreateUserPoolClient', {
      UserPoolId: userPoolId,
      ClientName: 'nextjs',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      IdTokenValidity: tokenSeconds,
      AccessTokenValidity: tokenSeconds,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { IdToken: 'seconds', AccessToken: 'seconds', RefreshToken: 'days' },
    });
    const clientId = UserPoolClient.ClientId;

    const subs = new Map<string, string>();
    const refreshTokens = new Map<string, Set<string>>();
    const refreshCounts = new Map<string, number>();
    const refreshes: RefreshRecord[] = [];
    const slowRefresh = new Map<string, number>();
    const remember = (token: string | undefined) => {
      const username = token ? String(claims(token)['cognito:username'] ?? '') : '';
      if (!token || !username) return;
      const known = refreshTokens.get(username) ?? new Set<string>();
      known.add(token);
      refreshTokens.set(username, known);
    };

    proxy = createServer(async (request, response) => {
      if (answeredPreflight(request, response)) return;
      let action = String(request.headers['x-amz-target'] ?? '').replace('AWSCognitoIdentityProviderService.', '');
      let body = await readBody(request);
      let parsed: { ClientId?: string; RefreshToken?: string; AuthFlow?: string; AuthParameters?: { REFRESH_TOKEN?: string } } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // not JSON: cognito-local answers it
      }
      const refreshToken =
        action === 'GetTokensFromRefreshToken'
          ? parsed.RefreshToken
          : parsed.AuthFlow?.startsWith('REFRESH_TOKEN')
            ? parsed.AuthParameters?.REFRESH_TOKEN
            : undefined;
      const username = refreshToken ? String(claims(refreshToken)['cognito:username'] ?? '?') : undefined;
      const started = Date.now();
      if (username !== undefined) {
        refreshCounts.set(username, (refreshCounts.get(username) ?? 0) + 1);
        const delay = slowRefresh.get(username);
        if (delay) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              timers.delete(timer);
              resolve();
            }, delay);
            timers.add(timer);
          });
        }
      }
      if (action === 'GetTokensFromRefreshToken') {
        // cognito-local lacks it; InitiateAuth REFRESH_TOKEN_AUTH answers with the same AuthenticationResult.
        action = 'InitiateAuth';
        body = JSON.stringify({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: parsed.ClientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        });
      }
      let upstream: Response;
      try {
        upstream = await fetch(direct, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target(action) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
      } catch {
        return void response.destroy();
      }
      let text = await upstream.text();
      let errorType: string | undefined;
      if (!upstream.ok) {
        const error = JSON.parse(text) as { __type?: string; message?: string };
        errorType = error.__type;
        // cognito-local says "User not authorized" for a dead refresh token; real Cognito says why.
        if (username !== undefined && error.__type === 'NotAuthorizedException') {
          text = JSON.stringify({ __type: error.__type, message: 'Refresh Token has been revoked' });
        }
      } else {
        remember((JSON.parse(text) as { AuthenticationResult?: { RefreshToken?: string } }).AuthenticationResult?.RefreshToken);
      }
      if (username !== undefined) refreshes.push({ username, started, finished: Date.now(), ok: upstream.ok });
      answer(response, upstream.status, text, errorType);
    });
    await new Promise<void>((resolve) => proxy?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    return {
      endpoint,
      direct,
      userPoolId,
      clientId,
      issuer: `https://${cognitoHost}/${userPoolId}`,
      jwksUrl: `${direct}/${userPoolId}/.well-known/jwks.json`,
      password,
      subs,
      async createUser(username) {
        await call('AdminCreateUser', {
          UserPoolId: userPoolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${username}@example.com` },
            { Name: 'email_verified', Value: 'true' },
          ],
        });
        await call('AdminSetUserPassword', { UserPoolId: userPoolId, Username: username, Password: password, Permanent: true });
        const user = await call<{ UserAttributes: Array<{ Name: string; Value: string }> }>('AdminGetUser', {
          UserPoolId: userPoolId,
          Username: username,
        });
        const sub = user.UserAttributes.find((attribute) => attribute.Name === 'sub')?.Value;
        if (!sub) throw new Error(`no sub for ${username}`);
        subs.set(username, sub);
        return sub;
      },
      async signIn(username) {
        const { AuthenticationResult: result } = await call<{
          AuthenticationResult: { IdToken: string; AccessToken: string; RefreshToken: string };
        }>('InitiateAuth', {
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: clientId,
          AuthParameters: { USERNAME: username, PASSWORD: password },
        });
        remember(result.RefreshToken);
        return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken };
      },
      refreshesOf: (username) => refreshCounts.get(username) ?? 0,
      refreshes,
      slowRefresh,
      async revoke(username) {
        const known = [...(refreshTokens.get(username) ?? [])];
        if (known.length === 0) throw new Error(`no refresh token of ${username} seen: sign in first`);
        for (const token of known) {
          await call('RevokeToken', { ClientId: clientId, Token: token });
          refreshTokens.get(username)?.delete(token);
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
