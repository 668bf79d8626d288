import type { AxiosResponse } from 'axios';

/**
 * Why a session ended without the app asking. Derived from Cognito's error.
 * @example
 * auth.on('logout', ({ reason }: { reason: LogoutReason }) => router.push(`/sign-in?reason=${reason}`));
 */
export type LogoutReason =
  | 'revoked'
  | 'expired'
  | 'user-disabled'
  | 'user-not-found'
  | 'password-reset-required'
  | 'user-not-confirmed'
  | 'refresh-token-reused'
  | 'session-ended';

/**
 * The `code` of every {@link AmplifyAuthError}.
 * @example
 * const transient: AmplifyAuthErrorCode[] = ['REFRESH_FAILED', 'REFRESH_TIMEOUT'];
 */
export type AmplifyAuthErrorCode = 'SESSION_ENDED' | 'SESSION_CHANGED' | 'REFRESH_FAILED' | 'REFRESH_TIMEOUT';

/**
 * What a {@link TokenSource} tells `onChange`, when it knows more than "something changed":
 * `'tokens'`, the same user's tokens were refreshed elsewhere (another tab, the app itself);
 * a {@link SessionEndedError}-like `{ ended }`, the session ended elsewhere and why.
 * Without an argument `onChange` means the session changed: a sign-in, a sign-out, another user.
 * @example
 * const source: TokenSource = {
 *   getTokens: async () => undefined,
 *   subscribe: (onChange) => {
 *     const refreshed = () => onChange('tokens'); // same user, new tokens
 *     window.addEventListener('tokens-refreshed', refreshed);
 *     return () => window.removeEventListener('tokens-refreshed', refreshed);
 *   },
 * };
 */
export type SourceChange = 'tokens' | { ended: LogoutReason; error?: unknown };

/**
 * How the tabs of one browser share a source's refreshes (see {@link TokenSource.tabs}); the
 * plugin's own is {@link browserTabs}.
 * @example
 * const tabs: TabCoordination = browserTabs;
 */
export interface TabCoordination {
  /** Whether the tabs share the session now (Amplify's is in `localStorage` only once signed in). */
  shared(): boolean;
  /** A forced refresh of `source`, replacing the token `stale`, coordinated with the other tabs; `abandon` releases what it holds. */
  refresh(source: TokenSource, stale: string, abandon: AbortSignal): Promise<SessionTokens | undefined>;
  /** Tells the other tabs that the session of the user of `token` ended, and why. */
  noteEnded(token: string, reason: LogoutReason): void;
  /**
   * Calls `listener` when another tab notes a session end; `endedFor(token)` tells whether it is
   * that token's user's. Returns the unsubscribe function.
   */
  onEndedElsewhere(listener: (reason: LogoutReason, endedFor: (token: string) => boolean) => void): () => void;
}

/**
 * Raw compact JWTs, as Cognito issued them.
 * @example
 * const tokens: SessionTokens = { idToken: session.idToken, accessToken: session.accessToken };
 */
export interface SessionTokens {
  idToken: string;
  accessToken: string;
}

/**
 * Where tokens come from. Amplify v6 and v5 have adapters
 * ({@link fromFetchAuthSession}, {@link fromCurrentSession}); anything else can implement it.
 * @example
 * const source: TokenSource = {
 *   async getTokens({ forceRefresh }) {
 *     const session = await mySessionStore.get({ refresh: forceRefresh });
 *     if (session === 'dead') throw new SessionEndedError('revoked');
 *     return session;
 *   },
 *   subscribe: (onChange) => mySessionStore.onChange(onChange),
 * };
 * installAmplifyAuth(api, { source });
 */
export interface TokenSource {
  /**
   * Current tokens, refreshed by the source if they have expired; `undefined` when nobody is
   * signed in. `forceRefresh: true` asks for new tokens from the refresh token.
   * Rejects with `SessionEndedError` when the session can no longer be refreshed;
   * any other rejection is a transient failure.
   */
  getTokens(options: { forceRefresh: boolean }): Promise<SessionTokens | undefined>;
  /**
   * Optional: call `onChange` when tokens change outside the plugin (sign-in, sign-out, a
   * refresh elsewhere). A source that has it lets the plugin keep the token in memory
   * between requests. Returns the unsubscribe function.
   *
   * `onChange()` is a session change: requests still waiting for a token of the session before
   * it reject with `SESSION_CHANGED`. A source that knows that only the tokens were refreshed
   * (same user) says `onChange('tokens')`; see {@link SourceChange}.
   */
  subscribe?(onChange: (change?: SourceChange) => void): () => void;
  /**
   * Optional: refreshes coordinated between the tabs of one browser, for a source whose session
   * every tab sees (Amplify keeps it in `localStorage`). The plugin then refreshes under a Web
   * Lock named for the user-pool client and the user, so that two tabs never spend one refresh
   * token twice, and tells the other tabs when the session ends. The Amplify adapters set it in a
   * browser document; a custom source sets {@link browserTabs}. A server, a worker or React
   * Native must leave it unset.
   * @default undefined (refreshes are single-flight within this JavaScript realm only)
   */
  readonly tabs?: TabCoordination;
}

/**
 * Payloads of the events a handle emits.
 * @example
 * auth.on('refresh', ({ trigger }) => metrics.count(`refresh.${trigger}`));
 */
export interface AmplifyAuthEvents {
  /** The session ended without the app asking: send the user to sign in. Fires once per session. */
  logout: { reason: LogoutReason; error?: unknown };
  /** This plugin refreshed the tokens, and why. */
  refresh: { trigger: 'unauthorized' | 'expiring' };
  /** A refresh failed for a transient cause (offline, 5xx, throttling, timeout); the session is kept. */
  refreshError: { error: unknown };
  /**
   * A request went without a token, and why: its URL is not allowed, nobody is signed in, it
   * opted out (`amplifyAuth: { skip: true }`), or it had the header already. Costs nothing while
   * nobody listens.
   */
  skip: { url: string; reason: SkipReason };
}

/**
 * Why a request went without a token (the `skip` event).
 * @example
 * auth.on('skip', ({ url, reason }: { url: string; reason: SkipReason }) => debugLog(`no token for ${url}: ${reason}`));
 */
export type SkipReason = 'not-allowed' | 'signed-out' | 'opted-out' | 'header-set';

/**
 * An `allow` entry for one API that wants another token, scheme or header than the install's.
 * `url` is matched as a plain entry is: an origin (with an optional path prefix) or a RegExp.
 *
 * @example
 * // A REST API with a Cognito authorizer: the bare ID token. In the options: `allow: [restApi]`.
 * const restApi: AllowEntry = { url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/', tokenType: 'id', scheme: '' };
 */
export interface AllowEntry {
  url: string | RegExp;
  /** @default the install's `tokenType` */
  tokenType?: 'id' | 'access';
  /** @default the install's `scheme` */
  scheme?: string;
  /** @default the install's `header` */
  header?: string;
}

/**
 * A listener for one event of {@link AmplifyAuthEvents}.
 * @example
 * const onLogout: AmplifyAuthListener<'logout'> = ({ reason }) => router.push(`/sign-in?reason=${reason}`);
 * auth.on('logout', onLogout);
 * auth.off('logout', onLogout);
 */
export type AmplifyAuthListener<E extends keyof AmplifyAuthEvents> = (payload: AmplifyAuthEvents[E]) => void;

/**
 * What {@link installAmplifyAuth} returns.
 * @example
 * const stop = auth.on('logout', () => router.push('/sign-in'));
 * stop();
 * auth.uninstall();
 */
export interface AmplifyAuth {
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof AmplifyAuthEvents>(event: E, listener: AmplifyAuthListener<E>): () => void;
  /** Removes a listener added with {@link AmplifyAuth.on}. */
  off<E extends keyof AmplifyAuthEvents>(event: E, listener: AmplifyAuthListener<E>): void;
  /** Ejects both interceptors and drops listeners and subscriptions. Idempotent. */
  uninstall(): void;
}

/**
 * Options of {@link installAmplifyAuth}.
 * @example
 * installAmplifyAuth(api, { tokenType: 'access', allow: ['https://api.example.com/v1/'], refreshTimeoutMs: 5000 });
 */
export interface AmplifyAuthOptions {
  /**
   * Where tokens come from.
   * @default Amplify v6's `fetchAuthSession` and `Hub` (main entry only; required with `/core`)
   */
  source?: TokenSource;
  /**
   * Which Cognito token is sent.
   * @default 'id'
   */
  tokenType?: 'id' | 'access';
  /**
   * The header that carries the token.
   * @default 'Authorization'
   */
  header?: string;
  /**
   * Prefix before the token; `''` sends the bare token (API Gateway Cognito authorizers).
   * @default 'Bearer'
   */
  scheme?: string;
  /**
   * Which URLs receive the token. Strings are origins (`https://api.example.com`) or an origin
   * plus path prefix (`https://api.example.com/v1/`), compared on parsed URLs; a RegExp is tested
   * against the full resolved URL; a function gets the resolved URL parsed. Replaces the default.
   * An {@link AllowEntry} gives one API its own token, scheme or header; the first entry that
   * matches decides.
   * @default relative URLs and the origin of the instance's `baseURL` (and `location.origin` in a browser)
   * @example allow: ['https://api.example.com/v1/', /^https:\/\/[a-z]+\.example\.com\//]
   */
  allow?: ReadonlyArray<string | RegExp | AllowEntry> | ((url: URL) => boolean);
  /**
   * Response statuses that mean "token rejected": the request is retried once with a fresh token.
   * @default [401]
   */
  statusCodes?: readonly number[];
  /**
   * Which responses mean "token rejected", for APIs that say so without a 401 (a 403 with a
   * certain body, GraphQL's 200 with `UNAUTHENTICATED`). Judged on every response to a request
   * that carried a token, resolved or rejected, with `data` as `transformResponse` makes it.
   * Not together with `statusCodes`.
   * @default the status is in `statusCodes`
   * @example isRejected: (response) => response.data?.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED'
   */
  isRejected?: (response: AxiosResponse) => boolean;
  /**
   * Refresh before sending when the token expires within this many seconds
   * (never more than half the token's lifetime).
   * @default 60
   */
  leewaySeconds?: number;
  /**
   * A refresh that takes longer than this fails with `REFRESH_TIMEOUT`.
   * @default 10000
   */
  refreshTimeoutMs?: number;
}

/**
 * Per-request options, under `config.amplifyAuth`.
 * @example
 * await api.get('/public/health', { amplifyAuth: { skip: true } });
 */
export interface AmplifyAuthRequestOptions {
  /**
   * Send this request untouched: no token, no retry.
   * @default false
   */
  skip?: boolean;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** axios-amplify-auth's per-request options. */
    amplifyAuth?: AmplifyAuthRequestOptions;
  }
}
