import { SessionEndedError } from '../errors.js';
import type { LogoutReason } from '../types.js';

const reasonByName: ReadonlyMap<string, LogoutReason> = new Map([
  ['TokenRevokedException', 'revoked'],
  ['UserNotFoundException', 'user-not-found'],
  ['PasswordResetRequiredException', 'password-reset-required'],
  ['UserNotConfirmedException', 'user-not-confirmed'],
  ['RefreshTokenReuseException', 'refresh-token-reused'],
]);

// Cognito answers every dead refresh token with NotAuthorizedException; only the message tells why.
const reasonByMessage: ReadonlyArray<readonly [RegExp, LogoutReason]> = [
  [/refresh token has been revoked/i, 'revoked'],
  [/refresh token has expired/i, 'expired'],
  [/user is disabled/i, 'user-disabled'],
];

function field(error: unknown, key: 'name' | 'code' | 'message'): string {
  if (typeof error !== 'object' || error === null) return '';
  const value: unknown = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

/**
 * The logout reason for a Cognito error, or `undefined` when the error does not end the session
 * (network errors, throttling, 5xx: transient). Reads `name`, or `code` as Amplify v5 sets it.
 */
export function logoutReasonOf(error: unknown): LogoutReason | undefined {
  // Amplify v6 matches names by prefix too (TokenOrchestrator.isAuthenticationError).
  const name = (field(error, 'name') || field(error, 'code')).replace(/^(\w+Exception).*$/, '$1');
  if (name === 'NotAuthorizedException') {
    const message = field(error, 'message');
    return reasonByMessage.find(([pattern]) => pattern.test(message))?.[1] ?? 'session-ended';
  }
  return reasonByName.get(name);
}

/** Rethrows a Cognito error that ends the session as `SessionEndedError`; other errors unchanged. */
export function toSessionError(error: unknown): unknown {
  const reason = logoutReasonOf(error);
  return reason ? new SessionEndedError(reason, { cause: error }) : error;
}
