import { base64UrlEncode, payloadOf } from '../jwt.js';
import type { SessionTokens, TokenSource } from '../types.js';
import type { AwsCredentials, CredentialsSource, IdentityCredentials } from './credentials.js';

/**
 * Credentials as the session coordinator keeps a session's tokens: one compact, unsigned token
 * whose `sub` is the identity (the identity pool's identity and the user, or a guest) and whose
 * `exp` is the credentials' expiration. So single-flight, session changes, expiry ahead of time,
 * timeouts and `logout` are the token path's own, not a copy of them: a credentials source is one
 * more kind of source. The token never leaves the process; `credentialsOf` reads it back to sign.
 */
const kind = 'aws-credentials';

/** Who the credentials are for: the identity, and the user it belongs to (`guest` for none). */
function identityOf({ identityId, userSub }: IdentityCredentials): string {
  return `${identityId ?? 'unknown-identity'}/${userSub ?? 'guest'}`;
}

/**
 * The credentials of `answer` as a token of the coordinator (the same answer, the same token).
 * `receivedAt` stands for the issue time that credentials do not state: with it, as with a JWT's
 * `iat`, the leeway is at most half their lifetime, and short-lived ones are not renewed on every request.
 */
export function credentialsToken(answer: IdentityCredentials, receivedAt: number): string {
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = answer.credentials;
  const claims = {
    sub: identityOf(answer),
    ...(expiration && { exp: Math.floor(expiration.getTime() / 1000), iat: Math.floor(receivedAt / 1000) }),
    aws: [accessKeyId, secretAccessKey, sessionToken ?? null],
  };
  return `${base64UrlEncode(JSON.stringify({ typ: kind }))}.${base64UrlEncode(JSON.stringify(claims))}.`;
}

/** The credentials a {@link credentialsToken} carries. */
export function credentialsOf(token: string): AwsCredentials {
  const [accessKeyId, secretAccessKey, sessionToken] = (payloadOf(token)?.['aws'] ?? []) as Array<string | null>;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') {
    throw new TypeError('axios-amplify-auth/iam: the credentials in memory are unreadable');
  }
  return { accessKeyId, secretAccessKey, ...(typeof sessionToken === 'string' && { sessionToken }) };
}

/**
 * A {@link TokenSource} over a {@link CredentialsSource}. `subscribe` tells identity changes
 * (Amplify's Hub); without it the credentials are still kept in memory until shortly before they
 * expire, as credentials that change only on expiry allow.
 */
export function credentialsTokenSource(source: CredentialsSource, subscribe?: TokenSource['subscribe']): TokenSource {
  // When the credentials now in use were first received: every read of them makes the same token.
  let received = { accessKeyId: '', at: 0 };
  return {
    async getTokens({ forceRefresh }): Promise<SessionTokens | undefined> {
      const answer = await source.getCredentials({ forceRefresh });
      if (!answer) return undefined;
      const { accessKeyId } = answer.credentials;
      if (received.accessKeyId !== accessKeyId) received = { accessKeyId, at: Date.now() };
      const token = credentialsToken(answer, received.at);
      return { idToken: token, accessToken: token };
    },
    subscribe: subscribe ?? (() => () => {}),
  };
}
