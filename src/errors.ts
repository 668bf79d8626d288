import type { InternalAxiosRequestConfig } from 'axios';
import type { AmplifyAuthErrorCode, LogoutReason } from './types.js';

/**
 * Options of the error constructors.
 * @example
 * throw new SessionEndedError('revoked', { cause: cognitoError }); // from a custom source
 */
export interface AmplifyAuthErrorOptions {
  /**
   * The underlying error: Cognito's, the network's, or the source's.
   * @default none
   */
  cause?: unknown;
  /**
   * The config of the request that failed.
   * @default none
   */
  config?: InternalAxiosRequestConfig;
}

const names = new Set(['AmplifyAuthError', 'SessionEndedError']);

/**
 * A request failed because no usable token could be had: the session ended (`SESSION_ENDED`),
 * changed to another user or to nobody while the request waited (`SESSION_CHANGED`), or could
 * not be refreshed (`REFRESH_FAILED`, `REFRESH_TIMEOUT`).
 * @example
 * api.get('/orders').catch((error) => {
 *   if (error instanceof AmplifyAuthError && error.code === 'REFRESH_FAILED') showOfflineBanner();
 * });
 */
export class AmplifyAuthError extends Error {
  override name = 'AmplifyAuthError';
  readonly code: AmplifyAuthErrorCode;
  /** The config of the request that failed; `undefined` on an error thrown by a source. */
  readonly config: InternalAxiosRequestConfig | undefined;

  constructor(code: AmplifyAuthErrorCode, message: string, options: AmplifyAuthErrorOptions = {}) {
    super(message);
    this.code = code;
    this.config = options.config;
    // Set here rather than through Error's options so that `cause` is there on every runtime.
    if ('cause' in options) this.cause = options.cause;
  }
}

/**
 * The session can no longer be refreshed: the user has to sign in again.
 * @example
 * // In a custom source: the refresh token is dead, the user has to sign in again.
 * throw new SessionEndedError('revoked', { cause: cognitoError });
 */
export class SessionEndedError extends AmplifyAuthError {
  override name = 'SessionEndedError';
  declare readonly code: 'SESSION_ENDED';
  readonly reason: LogoutReason;

  constructor(reason: LogoutReason, options: AmplifyAuthErrorOptions = {}) {
    super('SESSION_ENDED', `The session has ended (${reason}); sign in again.`, options);
    this.reason = reason;
  }
}

/**
 * An {@link AmplifyAuthError} as a union on `code`: checking `code === 'SESSION_ENDED'` narrows it
 * to {@link SessionEndedError}, so that `reason` needs no cast.
 * @example
 * function reasonOf(error: AnyAmplifyAuthError): string {
 *   return error.code === 'SESSION_ENDED' ? error.reason : error.code; // `reason` without a cast
 * }
 */
export type AnyAmplifyAuthError =
  SessionEndedError | (AmplifyAuthError & { readonly code: Exclude<AmplifyAuthErrorCode, 'SESSION_ENDED'> });

/**
 * True for an {@link AmplifyAuthError} (or {@link SessionEndedError}), also one made by another
 * copy of this module (ESM and CommonJS loaded side by side), which `instanceof` would miss.
 * @example
 * api.get('/orders').catch((error) => {
 *   if (isAmplifyAuthError(error) && error.code === 'REFRESH_FAILED') showOfflineBanner();
 * });
 */
export function isAmplifyAuthError(error: unknown): error is AnyAmplifyAuthError {
  return error instanceof Error && names.has(error.name) && typeof (error as Partial<AmplifyAuthError>).code === 'string';
}

/**
 * True for a {@link SessionEndedError}, from any copy of this module.
 *
 * @example
 * api.get('/me').catch((e) => { if (isSessionEndedError(e)) showSignIn(e.reason); });
 */
export function isSessionEndedError(error: unknown): error is SessionEndedError {
  return isAmplifyAuthError(error) && error.code === 'SESSION_ENDED';
}

/** The error of a request whose session changed (sign-out, sign-in, another user) before its token was ready. */
export function sessionChanged(cause?: unknown): AmplifyAuthError {
  const message = 'The session changed (sign-out or another user) before this request could be sent; it was not sent';
  return new AmplifyAuthError('SESSION_CHANGED', message, cause === undefined ? {} : { cause });
}

/** The same failure, for one request: each request's error carries its own `config`. */
export function forRequest(error: AmplifyAuthError, config: InternalAxiosRequestConfig): AmplifyAuthError {
  const options = { cause: error.cause, config };
  if (error.config === config) return error;
  if (isSessionEndedError(error)) return new SessionEndedError(error.reason, options);
  return new AmplifyAuthError(error.code, error.message, options);
}
