// `axios-amplify-auth/testing`: a scriptable token source for an app's own tests. No import of `aws-amplify`.
import { SessionEndedError } from './errors.js';
import { base64UrlEncode } from './jwt.js';
import type { LogoutReason, SessionTokens, SourceChange, TokenSource } from './types.js';

/**
 * Options of {@link createTestSource}.
 * @example
 * const source = createTestSource({ user: 'alice', lifetimeSeconds: 60 });
 */
export interface TestSourceOptions {
  /**
   * Who is signed in at the start (the tokens' `sub`); `null` for nobody.
   * @default 'test-user'
   */
  user?: string | null;
  /**
   * How long issued tokens live, in seconds (read `Date.now()`, so fake timers move it).
   * @default 3600
   */
  lifetimeSeconds?: number;
  /**
   * The app client the tokens name (`aud` / `client_id`).
   * @default 'test-client'
   */
  clientId?: string;
}

/** What the next refresh does: new tokens, end the session, fail transiently, or never answer. */
type NextRefresh = { kind: 'renew' } | { kind: 'end'; reason: LogoutReason } | { kind: 'fail'; error: unknown } | { kind: 'hang' };

/**
 * A {@link TokenSource} that a test drives: see {@link createTestSource}.
 * @example
 * const source: TestSource = createTestSource();
 * source.failNextRefresh(new Error('offline'));
 * source.signOut();
 */
export interface TestSource extends TokenSource {
  /** Signs `user` in (the same one without it) with fresh tokens; a session change. */
  signIn(user?: string): SessionTokens;
  /** Signs out; a session change. */
  signOut(): void;
  /** The next refresh ends the session with `reason` (Cognito revoked the refresh token). */
  revoke(reason?: LogoutReason): void;
  /** The next refresh fails with `error`, as offline or a Cognito 5xx would; the session is kept. */
  failNextRefresh(error?: unknown): void;
  /** The next refresh never answers (the plugin's `refreshTimeoutMs` ends the wait). */
  hangNextRefresh(): void;
  /** The current tokens; `undefined` when nobody is signed in. */
  readonly tokens: SessionTokens | undefined;
  /** How many refreshes (`forceRefresh: true`) the plugin asked for. */
  readonly refreshes: number;
}

/** An unsigned compact JWT with the claims a Cognito token has that the plugin reads. */
function jwt(claims: Record<string, unknown>): string {
  return `${base64UrlEncode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64UrlEncode(JSON.stringify(claims))}.`;
}

/**
 * A scriptable {@link TokenSource} for an app's own tests, without Amplify or a network: sign in
 * and out, tokens that expire after `lifetimeSeconds`, a revoked refresh token (the next refresh
 * ends the session with a reason), a transient failure, a refresh that hangs. It counts refreshes.
 * Its tokens are unsigned: point the app at a mock API, not a real one.
 *
 * @example
 * const source = createTestSource({ lifetimeSeconds: 60 });
 * const auth = installAmplifyAuth(api, { source });
 * auth.on('logout', onLogout);
 * source.revoke('revoked');
 * mock.onGet('/me').replyOnce(401);
 * await expect(api.get('/me')).rejects.toMatchObject({ code: 'SESSION_ENDED' });
 * expect(onLogout).toHaveBeenCalledWith(expect.objectContaining({ reason: 'revoked' }));
 */
export function createTestSource(options: TestSourceOptions = {}): TestSource {
  const fail = (option: string, expected: string, got: unknown): never => {
    throw new TypeError(
      `createTestSource: \`${option}\` must be ${expected} (got ${typeof got === 'string' ? JSON.stringify(got) : String(got)})`,
    );
  };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail('options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!['user', 'lifetimeSeconds', 'clientId'].includes(key)) fail(key, 'one of user, lifetimeSeconds, clientId', 'an unknown option');
  }
  const { lifetimeSeconds = 3600, clientId = 'test-client' } = options;
  // `exp` must stay a number in JSON (Infinity would be written as null).
  if (typeof lifetimeSeconds !== 'number' || !(lifetimeSeconds > 0) || lifetimeSeconds > 1e9) {
    fail('lifetimeSeconds', 'a number of seconds, > 0 and ≤ 1e9', lifetimeSeconds);
  }
  if (typeof clientId !== 'string' || clientId === '') fail('clientId', 'a non-empty string', clientId);
  let user = options.user === undefined ? 'test-user' : options.user;
  if (user !== null && (typeof user !== 'string' || user === '')) fail('user', 'a non-empty string or null', user);
  let serial = 0;
  let refreshes = 0;
  let next: NextRefresh = { kind: 'renew' };
  const listeners = new Set<(change?: SourceChange) => void>();
  const issue = (sub: string): SessionTokens => {
    const iat = Math.floor(Date.now() / 1000);
    const common = { sub, iat, exp: iat + lifetimeSeconds, jti: `${sub}-${++serial}` };
    return {
      idToken: jwt({ ...common, aud: clientId, token_use: 'id', 'cognito:username': sub }),
      accessToken: jwt({ ...common, client_id: clientId, token_use: 'access', username: sub }),
    };
  };
  let tokens = user === null ? undefined : issue(user);
  const notify = (): void => listeners.forEach((listener) => listener());

  return {
    get tokens() {
      return tokens;
    },
    get refreshes() {
      return refreshes;
    },
    async getTokens({ forceRefresh }) {
      await Promise.resolve();
      if (!forceRefresh || !tokens || user === null) return tokens;
      refreshes += 1;
      const outcome = next;
      next = { kind: 'renew' };
      switch (outcome.kind) {
        case 'hang':
          return new Promise<never>(() => {});
        case 'fail':
          throw outcome.error;
        case 'end':
          tokens = undefined;
          throw new SessionEndedError(outcome.reason);
        case 'renew':
          tokens = issue(user);
          return tokens;
      }
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    signIn(newUser) {
      if (newUser !== undefined && (typeof newUser !== 'string' || newUser === '')) fail('signIn(user)', 'a non-empty string', newUser);
      user = newUser ?? user ?? 'test-user';
      next = { kind: 'renew' };
      tokens = issue(user);
      notify();
      return tokens;
    },
    signOut() {
      user = null;
      tokens = undefined;
      notify();
    },
    revoke(reason = 'revoked') {
      next = { kind: 'end', reason };
    },
    failNextRefresh(error = new Error('NetworkError: the test source is offline')) {
      next = { kind: 'fail', error };
    },
    hangNextRefresh() {
      next = { kind: 'hang' };
    },
  };
}
