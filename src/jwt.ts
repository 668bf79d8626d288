/** The claims this plugin reads from a JWT, in seconds since the epoch. */
export interface TokenTimes {
  exp: number | undefined;
  iat: number | undefined;
}

const unreadable: TokenTimes = { exp: undefined, iat: undefined };

function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `exp` and `iat` of a compact JWT, without verifying it (the API does that); unreadable → both undefined. */
export function readTokenTimes(token: string): TokenTimes {
  const payload = token.split('.')[1];
  if (payload === undefined) return unreadable;
  try {
    const claims: unknown = JSON.parse(base64UrlDecode(payload));
    if (typeof claims !== 'object' || claims === null) return unreadable;
    const { exp, iat } = claims as Record<string, unknown>;
    return { exp: numeric(exp), iat: numeric(iat) };
  } catch {
    return unreadable;
  }
}

/**
 * True when the token expires within the leeway, which is capped at half the token's lifetime so
 * that a short-lived token is not refreshed on every request. A token without `exp` never is.
 */
export function expiresWithin(times: TokenTimes, leewaySeconds: number, nowMs: number): boolean {
  if (times.exp === undefined) return false;
  const lifetime = times.iat === undefined ? Infinity : times.exp - times.iat;
  const leeway = Math.min(leewaySeconds, lifetime / 2);
  return times.exp * 1000 - nowMs <= leeway * 1000;
}
