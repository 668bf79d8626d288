/** The claims this plugin reads from a JWT: times in seconds since the epoch, the user and the app client. */
export interface TokenClaims {
  exp: number | undefined;
  iat: number | undefined;
  /**
   * The user (Cognito's `sub`): what tells one user's session from another's. `undefined` when it
   * cannot be read, and then no user is compared: an unreadable token is never taken as another user's.
   */
  sub: string | undefined;
  /** The user-pool app client: `aud` of an ID token, `client_id` of an access token. */
  client: string | undefined;
}

const unreadable: TokenClaims = { exp: undefined, iat: undefined, sub: undefined, client: undefined };

// base64url (and plain base64) digits to their values. Decoded here, not with `atob` and
// `TextDecoder`: Hermes has no `TextDecoder` before React Native 0.88, and no `atob` before 0.74.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const digits = new Map([...alphabet].map((char, value) => [char, value]));
digits.set('+', 62).set('/', 63);

/** The text of a base64url segment, read as UTF-8; throws on what is neither. */
function base64UrlDecode(segment: string): string {
  let percentEncoded = '';
  let bits = 0;
  let buffer = 0;
  for (const char of segment.replace(/=+$/, '')) {
    const value = digits.get(char);
    if (value === undefined) throw new TypeError('not base64url');
    buffer = ((buffer << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      percentEncoded += `%${((buffer >> bits) & 0xff).toString(16).padStart(2, '0')}`;
    }
  }
  // The UTF-8 decoder every engine has: it throws a URIError on a malformed sequence.
  return decodeURIComponent(percentEncoded);
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The payload of a compact JWT as an object, without verifying it; `undefined` when unreadable. */
export function payloadOf(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(base64UrlDecode(payload));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The claims of a compact JWT, without verifying it (the API does that); unreadable → all undefined. */
export function readClaims(token: string): TokenClaims {
  const claims = payloadOf(token);
  if (!claims) return unreadable;
  const { exp, iat, sub, aud, client_id } = claims;
  return { exp: numeric(exp), iat: numeric(iat), sub: text(sub), client: text(aud) ?? text(client_id) };
}

/**
 * `text` as UTF-8, base64url-encoded. Written out rather than with `TextEncoder` and `btoa`, which
 * Hermes lacks before React Native 0.74.
 */
export function base64UrlEncode(text: string): string {
  // encodeURIComponent writes UTF-8: every byte it escapes is `%XX`, every other is the character.
  const bytes = encodeURIComponent(text)
    .split(/(%[0-9A-F]{2})/)
    .flatMap((part) => (part.startsWith('%') ? [parseInt(part.slice(1), 16)] : [...part].map((char) => char.charCodeAt(0))));
  let encoded = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const [a = 0, b = 0, c = 0] = bytes.slice(index, index + 3);
    const triple = (a << 16) | (b << 8) | c;
    const count = Math.min(bytes.length - index, 3) + 1;
    for (let digit = 0; digit < count; digit++) encoded += alphabet[(triple >> (18 - 6 * digit)) & 63];
  }
  return encoded;
}

/** Whether two users differ as far as their tokens tell: an unreadable `sub` tells nothing. */
export function otherUser(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}

/**
 * True when the token expires within the leeway, which is capped at half the token's lifetime so
 * that a short-lived token is not refreshed on every request. A token without `exp` never is.
 */
export function expiresWithin(times: TokenClaims, leewaySeconds: number, nowMs: number): boolean {
  if (times.exp === undefined) return false;
  const lifetime = times.iat === undefined ? Infinity : times.exp - times.iat;
  const leeway = Math.min(leewaySeconds, lifetime / 2);
  return times.exp * 1000 - nowMs <= leeway * 1000;
}

// `iat` has one-second resolution and the answer took a round trip: below this, no skew is seen.
const skewNoiseMs = 30_000;

/**
 * How far Cognito's clock is ahead of this machine's (negative: behind), learned from the `iat` of
 * a token issued just now, as Amplify does; 0 within the noise of latency and rounding, and
 * `previous` when the token has no `iat`. Without it a clock that runs ahead would make every
 * token look expiring.
 */
export function clockSkewOf(freshToken: string, previous: number): number {
  const { iat } = readClaims(freshToken);
  if (iat === undefined) return previous;
  const skew = iat * 1000 - Date.now();
  return Math.abs(skew) < skewNoiseMs ? 0 : skew;
}
