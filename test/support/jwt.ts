/** Unsigned compact JWTs with the claims the plugin reads; the serial `n` tells tokens apart. */
export function makeJwt(claims: { n: number; iat?: number; exp?: number; use?: 'id' | 'access' }): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ token_use: claims.use ?? 'id', ...claims })}.sig`;
}

export function serialOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { n: number };
  return payload.n;
}

/** A session of tokens issued now that live `lifetimeSeconds`. */
export function issueTokens(n: number, lifetimeSeconds = 3600, nowMs = Date.now()) {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + lifetimeSeconds;
  return { idToken: makeJwt({ n, iat, exp, use: 'id' }), accessToken: makeJwt({ n, iat, exp, use: 'access' }) };
}
