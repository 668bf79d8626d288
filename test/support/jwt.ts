import { Buffer } from 'node:buffer';

/** Unsigned compact JWTs with the claims the plugin reads; the serial `n` tells tokens apart. */
export function makeJwt(claims: { n: number; iat?: number; exp?: number; use?: 'id' | 'access'; sub?: string; client?: string }): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const { use = 'id', sub = 'user-1', client = 'client-1', ...rest } = claims;
  // Cognito names the app client `aud` in an ID token and `client_id` in an access token.
  const clientClaim = use === 'id' ? { aud: client } : { client_id: client };
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ token_use: use, sub, ...clientClaim, ...rest })}.sig`;
}

export function userOfToken(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
}

export function serialOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { n: number };
  return payload.n;
}

/** A session of tokens issued now that live `lifetimeSeconds`. */
export function issueTokens(n: number, lifetimeSeconds = 3600, nowMs = Date.now(), sub = 'user-1') {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + lifetimeSeconds;
  return { idToken: makeJwt({ n, iat, exp, use: 'id', sub }), accessToken: makeJwt({ n, iat, exp, use: 'access', sub }) };
}
