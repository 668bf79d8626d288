import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerAsCognito as answer, answeredPreflight, readBody, startCognitoLocal, target } from './cognito-local.js';
import {
  RefreshTokenRotation,
  refreshTokenAuthRefusal,
  type RotationFamily,
  type RotationLedger,
  type RotationOptions,
} from './rotation.js';

/** What a refresh is answered with instead of Cognito's own answer, for fault tests. */
export type RefreshFault = { kind: 'error'; status: number; type: string; message: string } | { kind: 'hang' } | { kind: 'unreachable' };

export interface LocalCognitoOptions {
  /** Lifetimes of the ID and access tokens, in seconds. @default 3600 */
  tokenSeconds?: number;
  username?: string;
  password?: string;
  /** A second user of the same pool, for account switches. @default other@example.com */
  secondUser?: LocalUser;
  /**
   * Refresh-token rotation, as an app client with `RefreshTokenRotation: { Feature: 'ENABLED',
   * RetryGracePeriodSeconds }` has it (test/harness/rotation.ts): every sign-in and every
   * GetTokensFromRefreshToken answers with a new refresh token, a spent one is refused after the
   * grace period, InitiateAuth REFRESH_TOKEN_AUTH is refused. Without it, refresh tokens never change.
   */
  rotation?: RotationOptions;
}

export interface LocalUser {
  username: string;
  password: string;
}

/** A refresh whose answer the layer in front of Cognito holds until {@link RefreshHold.release}. */
export interface RefreshHold {
  /** Resolves when the held refresh reached the layer (it is counted in `refreshCalls` then). */
  readonly arrived: Promise<void>;
  /** Resolves when Cognito has answered it (tokens are issued), while the answer is still held. */
  readonly answered: Promise<void>;
  /** Resolves when the answer was handed to the caller (after `release`), or at once on a withdrawn hold. */
  readonly delivered: Promise<void>;
  /** True once `release` was called. */
  readonly released: boolean;
  /** Hands the answer on; until then the caller waits. Before any refresh arrived, withdraws the hold. Idempotent. */
  release(): void;
}

export interface HoldOptions {
  /**
   * When Cognito sees the held refresh: `'now'` (default) answers it at once and holds the answer,
   * as a slow network would; `'on-release'` holds the request itself and asks Cognito only on
   * release (so a refresh token revoked meanwhile is answered as revoked).
   */
  forward?: 'now' | 'on-release';
}

/** One refresh answered to the caller: its status and the `sub` of the ID token it carried, if any. */
export interface RefreshAnswer {
  status: number;
  sub: string | undefined;
}

export interface LocalCognito {
  /** Where Amplify talks to: the layer in front of cognito-local. */
  endpoint: string;
  /** The issuer of the tokens and where its JWKS is: cognito-local itself. */
  issuer: string;
  jwksUrl: string;
  userPoolId: string;
  clientId: string;
  username: string;
  password: string;
  /** The second user of the pool (`username`/`password` above are the first). */
  secondUser: LocalUser;
  /** Refreshes that reached Cognito (GetTokensFromRefreshToken and InitiateAuth REFRESH_TOKEN_AUTH). */
  readonly refreshCalls: number;
  /** The newest refresh token Cognito handed out. */
  readonly refreshToken: string | undefined;
  /** Set to answer refreshes with a fault; `undefined` heals. */
  refreshFault: RefreshFault | undefined;
  /** Every refresh answered to its caller so far, in answer order (faults included). */
  readonly refreshAnswers: readonly RefreshAnswer[];
  /**
   * Holds the answer of the next refresh that arrives (after any hold asked earlier) until
   * `release()`. A fault set meanwhile still applies to it; `stop()` drops a held one.
   */
  holdNextRefresh(options?: HoldOptions): RefreshHold;
  /** Calls a Cognito API action directly (no fault, not counted). */
  call<T = Record<string, unknown>>(action: string, body: object): Promise<T>;
  /**
   * Revokes `token` (default: the newest refresh token), as `RevokeToken` does for a signed-out
   * device. With rotation, through the layer: the token's whole family is revoked.
   */
  revokeRefreshToken(token?: string): Promise<void>;
  /**
   * With `rotation`: which refresh token was submitted how often, and how each was judged; a test
   * asserts `spentTwice` is empty. `undefined` without rotation.
   */
  readonly rotation: RotationLedger | undefined;
  /** With `rotation`: changes `RetryGracePeriodSeconds` (0–60), as UpdateUserPoolClient would. */
  setRotationGracePeriod(seconds: number): void;
  /**
   * Spends `token` (default: the newest refresh token) with GetTokensFromRefreshToken through the
   * layer, as another device or a leaked copy would: counted, rotated, judged like any refresh.
   * Resolves with the answer's status, its error type, and the new refresh token if any.
   */
  spendRefreshToken(token?: string): Promise<{ status: number; type: string | undefined; refreshToken: string | undefined }>;
  stop(): Promise<void>;
}

/**
 * Starts cognito-local on 127.0.0.1 in its own temporary directory (it keeps its data in
 * `./.cognito` of the current directory), with a thin layer in front that makes current Amplify
 * work against it and lets tests count and break refreshes: cognito-local 5.3 lacks
 * `GetTokensFromRefreshToken` (rewritten into `InitiateAuth` `REFRESH_TOKEN_AUTH`) and answers a
 * revoked refresh token with "User not authorized" where Cognito says "Refresh Token has been
 * revoked". Provisions a pool, a client and a user.
 */
export async function startLocalCognito(options: LocalCognitoOptions = {}): Promise<LocalCognito> {
  const {
    tokenSeconds = 3600,
    username = 'demo@example.com',
    password = 'Correct-Horse-9',
    secondUser = { username: 'other@example.com', password: 'Battery-Staple-7' },
  } = options;
  // Validated before anything starts.
  const rotation = options.rotation ? new RefreshTokenRotation(options.rotation) : undefined;
  const cognito = await startCognitoLocal();
  const { direct, call } = cognito;

  let proxy: Server | undefined;
  // Held refreshes waiting for their release; stop() lets them go so that nothing waits for ever.
  const pendingReleases = new Set<() => void>();
  const stop = async () => {
    for (const release of [...pendingReleases]) release();
    proxy?.closeAllConnections();
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    await cognito.stop();
  };

  try {
    const { UserPool } = await call<{ UserPool: { Id: string } }>('CreateUserPool', { PoolName: 'axios-amplify-auth' });
    const { UserPoolClient } = await call<{ UserPoolClient: { ClientId: string } }>('CreateUserPoolClient', {
      UserPoolId: UserPool.Id,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      IdTokenValidity: tokenSeconds,
      AccessTokenValidity: tokenSeconds,
      RefreshTokenValidity: 30,
      TokenValidityUnits: { IdToken: 'seconds', AccessToken: 'seconds', RefreshToken: 'days' },
    });
    await call('AdminCreateUser', {
      UserPoolId: UserPool.Id,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    await call('AdminSetUserPassword', { UserPoolId: UserPool.Id, Username: username, Password: password, Permanent: true });
    await call('AdminCreateUser', {
      UserPoolId: UserPool.Id,
      Username: secondUser.username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: secondUser.username },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    await call('AdminSetUserPassword', {
      UserPoolId: UserPool.Id,
      Username: secondUser.username,
      Password: secondUser.password,
      Permanent: true,
    });

    let refreshCalls = 0;
    let refreshToken: string | undefined;
    const state: { fault: RefreshFault | undefined } = { fault: undefined };
    // Refreshes held unanswered by a 'hang' fault; dropped when the fault changes, as a
    // connection to a hung server would be, so that nobody waits on them for ever.
    const hung = new Set<IncomingMessage>();
    const refreshAnswers: RefreshAnswer[] = [];
    interface PendingHold {
      forward: 'now' | 'on-release';
      arrive(): void;
      answer(): void;
      deliver(): void;
      releasedPromise: Promise<void>;
    }
    const holds: PendingHold[] = [];

    const holdNextRefresh = ({ forward = 'now' }: HoldOptions = {}): RefreshHold => {
      const signal = () => {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        return { promise, resolve };
      };
      const [arrived, answered, delivered, releasedSignal] = [signal(), signal(), signal(), signal()];
      let released = false;
      const pendingHold: PendingHold = {
        forward,
        arrive: arrived.resolve,
        answer: answered.resolve,
        deliver: delivered.resolve,
        releasedPromise: releasedSignal.promise,
      };
      const release = () => {
        if (released) return;
        released = true;
        pendingReleases.delete(release);
        // Released before any refresh arrived: the hold is withdrawn, the next refresh goes unheld.
        const queued = holds.indexOf(pendingHold);
        if (queued >= 0) {
          holds.splice(queued, 1);
          delivered.resolve();
        }
        releasedSignal.resolve();
      };
      pendingReleases.add(release);
      holds.push(pendingHold);
      return {
        arrived: arrived.promise,
        answered: answered.promise,
        delivered: delivered.promise,
        get released() {
          return released;
        },
        release,
      };
    };

    proxy = createServer(async (request, response) => {
      if (answeredPreflight(request, response)) return;
      let action = String(request.headers['x-amz-target'] ?? '').replace('AWSCognitoIdentityProviderService.', '');
      let body = await readBody(request);
      const isRefresh = action === 'GetTokensFromRefreshToken' || (action === 'InitiateAuth' && /"REFRESH_TOKEN(_AUTH)?"/.test(body));
      const hold = isRefresh ? holds.shift() : undefined;
      // A held refresh's answer waits for its release; every refresh's answer is logged.
      const reply = async (status: number, text: string, errorType?: string) => {
        if (hold) {
          hold.answer();
          await hold.releasedPromise;
        }
        if (isRefresh) {
          let sub: string | undefined;
          try {
            const token = (JSON.parse(text) as { AuthenticationResult?: { IdToken?: string } }).AuthenticationResult?.IdToken;
            if (token) sub = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string }).sub;
          } catch {
            // not a token answer
          }
          refreshAnswers.push({ status, sub });
        }
        if (!response.destroyed && !response.writableEnded) answer(response, status, text, errorType);
        hold?.deliver();
      };
      if (isRefresh) {
        refreshCalls += 1;
        hold?.arrive();
        if (hold?.forward === 'on-release') await hold.releasedPromise;
        const fault = state.fault;
        if (fault?.kind === 'hang') return void hung.add(request);
        if (fault?.kind === 'unreachable') return request.socket.destroy();
        if (fault?.kind === 'error') {
          return reply(fault.status, JSON.stringify({ __type: fault.type, message: fault.message }), fault.type);
        }
      }
      // With rotation: the refresh token of a refresh, judged before cognito-local sees it; a
      // revoked one revokes its family. `rotating` is the family refreshed.
      let rotating: RotationFamily | undefined;
      if (rotation && action === 'InitiateAuth' && isRefresh) {
        const refusal = refreshTokenAuthRefusal;
        return reply(refusal.status, JSON.stringify({ __type: refusal.type, message: refusal.message }), refusal.type);
      }
      if (action === 'GetTokensFromRefreshToken') {
        // cognito-local lacks it; InitiateAuth REFRESH_TOKEN_AUTH answers with the same AuthenticationResult.
        const parsed = JSON.parse(body) as { ClientId: string; RefreshToken: string };
        let upstreamToken = parsed.RefreshToken;
        if (rotation) {
          const verdict = rotation.spend(parsed.RefreshToken);
          if ('refusal' in verdict) {
            const { refusal } = verdict;
            return reply(refusal.status, JSON.stringify({ __type: refusal.type, message: refusal.message }), refusal.type);
          }
          rotating = verdict.family;
          upstreamToken = verdict.family.upstream;
        }
        action = 'InitiateAuth';
        body = JSON.stringify({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: parsed.ClientId,
          AuthParameters: { REFRESH_TOKEN: upstreamToken },
        });
      }
      if (rotation && action === 'RevokeToken') {
        const parsed = JSON.parse(body) as { ClientId: string; Token: string };
        const upstreamToken = rotation.revoke(parsed.Token);
        if (upstreamToken) body = JSON.stringify({ ...parsed, Token: upstreamToken });
      }
      const upstream = await fetch(direct, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target(action) },
        body,
      });
      let text = await upstream.text();
      let errorType: string | undefined;
      if (!upstream.ok) {
        const error = JSON.parse(text) as { __type?: string; message?: string };
        errorType = error.__type;
        // cognito-local says "User not authorized" for a dead refresh token; real Cognito says why.
        if (isRefresh && error.__type === 'NotAuthorizedException') {
          text = JSON.stringify({ __type: error.__type, message: 'Refresh Token has been revoked' });
        }
      } else {
        const answered = JSON.parse(text) as { AuthenticationResult?: { RefreshToken?: string } };
        const result = answered.AuthenticationResult;
        if (rotation && result) {
          // A sign-in starts a family; a refresh of a family rotates it: the layer's own token either way.
          if (rotating) result.RefreshToken = rotation.rotate(rotating);
          else if (result.RefreshToken) result.RefreshToken = rotation.signIn(result.RefreshToken);
          text = JSON.stringify(answered);
        }
        if (result?.RefreshToken) refreshToken = result.RefreshToken;
      }
      await reply(upstream.status, text, errorType);
    });
    await new Promise<void>((resolve) => proxy?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    return {
      endpoint,
      issuer: `${direct}/${UserPool.Id}`,
      jwksUrl: `${direct}/${UserPool.Id}/.well-known/jwks.json`,
      userPoolId: UserPool.Id,
      clientId: UserPoolClient.ClientId,
      username,
      password,
      secondUser,
      get refreshAnswers() {
        return refreshAnswers;
      },
      holdNextRefresh,
      get refreshCalls() {
        return refreshCalls;
      },
      get refreshToken() {
        return refreshToken;
      },
      get refreshFault() {
        return state.fault;
      },
      set refreshFault(fault) {
        state.fault = fault;
        for (const request of hung) request.socket.destroy();
        hung.clear();
      },
      call,
      async revokeRefreshToken(token = refreshToken) {
        if (!token) throw new Error('no refresh token to revoke: nobody signed in yet');
        if (rotation) {
          // Through the layer, which revokes the whole family.
          const response = await fetch(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target('RevokeToken') },
            body: JSON.stringify({ ClientId: UserPoolClient.ClientId, Token: token }),
          });
          if (!response.ok) throw new Error(`RevokeToken failed: ${await response.text()}`);
          return;
        }
        await call('RevokeToken', { ClientId: UserPoolClient.ClientId, Token: token });
      },
      get rotation() {
        return rotation;
      },
      setRotationGracePeriod(seconds) {
        if (!rotation) throw new Error('the local Cognito does not rotate refresh tokens: start it with `rotation`');
        rotation.gracePeriodSeconds = seconds;
      },
      async spendRefreshToken(token = refreshToken) {
        if (!token) throw new Error('no refresh token to spend: nobody signed in yet');
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target('GetTokensFromRefreshToken') },
          body: JSON.stringify({ ClientId: UserPoolClient.ClientId, RefreshToken: token }),
        });
        const json = (await response.json()) as { __type?: string; AuthenticationResult?: { RefreshToken?: string } };
        return { status: response.status, type: json.__type, refreshToken: json.AuthenticationResult?.RefreshToken };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
