// The world around the plugin, in memory: a Cognito that issues compact JWTs and remembers which
// ones are good, an API (an axios adapter) that checks them as a Cognito authorizer would, token
// sources over that Cognito, and Amplify v6's `fetchAuthSession` and `Hub` as the plugin sees them.
import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { SessionEndedError, type LogoutReason, type SessionTokens, type SourceChange, type TokenSource } from 'axios-amplify-auth/core';
import { base64UrlOfText, textOfBase64Url } from './encoding';

export const apiOrigin = 'https://api.example.com';

export interface User {
  /** Cognito's `sub` (a UUID there). */
  sub: string;
  username: string;
  name: string;
}

export type Claims = Record<string, unknown> & { sub?: unknown; exp?: unknown; iat?: unknown };

/** The claims of a compact JWT, read with the app's own decoder; `undefined` when it is not one. */
export function claimsOf(token: string): Claims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const text = textOfBase64Url(parts[1]!);
  if (text === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(text);
    return typeof claims === 'object' && claims !== null ? (claims as Claims) : undefined;
  } catch {
    return undefined;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A user pool: issues ID and access tokens (RS256-looking compact JWTs whose signature segment is
 * the pool's serial, since the API checks them by registry instead of by key) and tells whether
 * a token is still good.
 */
export class FakeCognito {
  readonly clientId = '4hermes5app6client7id8';
  readonly issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_HeRmEs012';
  private serial = 0;
  private readonly current = new Map<string, SessionTokens>();
  private readonly rejected = new Set<string>();

  /** New tokens for `user` that live `lifetimeSeconds` and expire in `expiresInSeconds` (default: the lifetime). */
  issue(user: User, lifetimeSeconds = 3600, expiresInSeconds = lifetimeSeconds): SessionTokens {
    const serial = ++this.serial;
    const exp = Math.floor(Date.now() / 1000) + expiresInSeconds;
    const iat = exp - lifetimeSeconds;
    const common = {
      sub: user.sub,
      iss: this.issuer,
      iat,
      exp,
      auth_time: iat,
      jti: `jti-${serial}-${user.sub}`,
      event_id: `ev-${serial}`,
    };
    const sign = (claims: object): string =>
      `${base64UrlOfText(JSON.stringify({ kid: 'hermes-key-1', alg: 'RS256' }))}.${base64UrlOfText(JSON.stringify(claims))}.${base64UrlOfText(`sig:${serial}:${user.sub}`)}`;
    const tokens = {
      idToken: sign({
        ...common,
        aud: this.clientId,
        token_use: 'id',
        'cognito:username': user.username,
        name: user.name,
        email_verified: true,
      }),
      accessToken: sign({
        ...common,
        client_id: this.clientId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        username: user.username,
      }),
    };
    this.current.set(user.sub, tokens);
    return tokens;
  }

  /** Why the API refuses `token`, or `undefined` when it is good: issued here, the user's newest, not expired, not rejected. */
  refusal(token: string): string | undefined {
    const claims = claimsOf(token);
    if (!claims || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return 'not a JWT of this pool';
    if (claims['aud'] !== this.clientId && claims['client_id'] !== this.clientId) return 'another app client';
    if (claims.exp * 1000 <= Date.now()) return 'expired';
    if (this.rejected.has(token)) return 'rejected';
    const current = this.current.get(claims.sub);
    if (!current || (current.idToken !== token && current.accessToken !== token)) return 'not the current token';
    return undefined;
  }

  /** The API refuses `tokens` from now on (a key rotation, a global sign-out elsewhere): the next request gets a 401. */
  reject(tokens: SessionTokens | undefined): void {
    if (!tokens) return;
    this.rejected.add(tokens.idToken);
    this.rejected.add(tokens.accessToken);
  }
}

export interface Attempt {
  url: string;
  authorization: string | undefined;
  status: number;
}

/** The full URL axios would send to (`baseURL` + `url`). */
function fullUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return `${(config.baseURL ?? '').replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/**
 * An API at {@link apiOrigin} that wants `Authorization: Bearer <token>` with a token that
 * `refusal` finds good (else 401), and answers any other origin without looking; every attempt is
 * recorded. Answers come after `latencyMs`, on a timer, as a network's would.
 */
export function createApi(refusal: (token: string) => string | undefined, latencyMs = 2) {
  const attempts: Attempt[] = [];
  const adapter: AxiosAdapter = (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const url = fullUrl(config);
      const header = config.headers.get('Authorization');
      const authorization = typeof header === 'string' ? header : undefined;
      let status = 200;
      let data: unknown = { ok: true };
      if (url.startsWith(`${apiOrigin}/`)) {
        const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '');
        const why = bearer ? refusal(bearer[1]!) : 'no bearer token';
        if (why !== undefined) {
          status = 401;
          data = { message: `Unauthorized: ${why}` };
        } else {
          data = { ok: true, sub: claimsOf(bearer![1]!)?.sub };
        }
      }
      attempts.push({ url, authorization, status });
      setTimeout(() => {
        const response: AxiosResponse = {
          data,
          status,
          statusText: status === 200 ? 'OK' : 'Unauthorized',
          headers: {},
          config,
          request: {},
        };
        const validate = config.validateStatus;
        if (!validate || validate(status)) resolve(response);
        else reject(new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_REQUEST, config, {}, response));
      }, latencyMs);
    });
  return {
    adapter,
    attempts,
    /** The attempts at `path` of the API. */
    attemptsOf: (path: string) => attempts.filter((attempt) => attempt.url === `${apiOrigin}${path}`),
  };
}

/** A token source over {@link FakeCognito} that a check drives: it counts forced refreshes and can revoke, hang, or change. */
export function cognitoSource(cognito: FakeCognito, user: User, options: { expiresInSeconds?: number; subscribe?: boolean } = {}) {
  let tokens: SessionTokens | undefined = cognito.issue(user, 3600, options.expiresInSeconds ?? 3600);
  let next: 'renew' | 'hang' | { end: LogoutReason } = 'renew';
  const listeners = new Set<(change?: SourceChange) => void>();
  const state = {
    refreshes: 0,
    get tokens() {
      return tokens;
    },
    /** The next forced refresh ends the session: Cognito revoked the refresh token. */
    revoke(reason: LogoutReason = 'revoked') {
      next = { end: reason };
    },
    /** The next forced refresh never answers. */
    hangNextRefresh() {
      next = 'hang';
    },
    /** Tells the plugin that the session changed (a sign-in or sign-out elsewhere in the app). */
    change(change?: SourceChange) {
      for (const listener of [...listeners]) listener(change);
    },
    listeners: () => listeners.size,
  };
  const source: TokenSource = {
    async getTokens({ forceRefresh }) {
      await delay(1);
      if (!forceRefresh || !tokens) return tokens;
      state.refreshes += 1;
      const outcome = next;
      next = 'renew';
      if (outcome === 'hang') return new Promise<never>(() => {});
      if (outcome !== 'renew') {
        tokens = undefined;
        throw new SessionEndedError(outcome.end);
      }
      tokens = cognito.issue(user);
      return tokens;
    },
  };
  if (options.subscribe !== false) {
    source.subscribe = (onChange) => {
      listeners.add(onChange);
      return () => void listeners.delete(onChange);
    };
  }
  return { source, state };
}

type HubCallback = (capsule: { payload: { event: string; data?: unknown } }) => void;

/** Amplify's `Hub`, as far as the auth channel goes: `listen(channel, callback, options?)` returns the unsubscribe; dispatch is synchronous. */
export class FakeHub {
  private readonly listeners = new Set<HubCallback>();

  listen(channel: 'auth', callback: HubCallback, _options?: unknown): () => void {
    if (channel !== 'auth') throw new Error(`FakeHub: no channel ${String(channel)}`);
    const entry: HubCallback = (capsule) => callback(capsule);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  dispatch(event: string, data?: unknown): void {
    for (const listener of [...this.listeners]) listener({ payload: data === undefined ? { event } : { event, data } });
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** Amplify v6's JWT object: `toString()` is the compact JWT, `payload` its claims. */
function jwtObject(token: string): { payload: Claims; toString(): string } {
  return { payload: claimsOf(token) ?? {}, toString: () => token };
}

/**
 * Amplify v6's session as `fetchAuthSession` and `Hub` show it: `signIn` stores tokens and
 * dispatches `signedIn` with `{ userId: sub, username }`; a forced refresh dispatches
 * `tokenRefresh`, or, with a revoked refresh token, `tokenRefresh_failure` and resolves without tokens.
 */
export class FakeAmplify {
  readonly hub = new FakeHub();
  private user: User | undefined;
  private tokens: SessionTokens | undefined;
  private refreshTokenRevoked = false;
  forcedRefreshes = 0;

  constructor(private readonly cognito: FakeCognito) {}

  readonly fetchAuthSession = async (options?: { forceRefresh?: boolean }) => {
    await delay(1);
    if (!this.user || !this.tokens) return { tokens: undefined };
    if (options?.forceRefresh) {
      this.forcedRefreshes += 1;
      if (this.refreshTokenRevoked) {
        const error = new Error('Refresh Token has been revoked');
        error.name = 'NotAuthorizedException';
        this.user = undefined;
        this.tokens = undefined;
        this.hub.dispatch('tokenRefresh_failure', { error });
        return { tokens: undefined };
      }
      this.tokens = this.cognito.issue(this.user);
      this.hub.dispatch('tokenRefresh');
    }
    return { tokens: { idToken: jwtObject(this.tokens.idToken), accessToken: jwtObject(this.tokens.accessToken) } };
  };

  get currentTokens(): SessionTokens | undefined {
    return this.tokens;
  }

  /** A sign-in: tokens first, then Hub's `signedIn`, as Amplify does. */
  signIn(user: User, options: { silently?: boolean } = {}): SessionTokens {
    this.user = user;
    this.refreshTokenRevoked = false;
    this.tokens = this.cognito.issue(user);
    if (!options.silently) this.hub.dispatch('signedIn', { userId: user.sub, username: user.username });
    return this.tokens;
  }

  signOut(): void {
    this.user = undefined;
    this.tokens = undefined;
    this.hub.dispatch('signedOut');
  }

  /** Cognito revoked the refresh token: the next forced refresh fails. */
  revokeRefreshToken(): void {
    this.refreshTokenRevoked = true;
  }
}
