// `axios-amplify-auth/core`: the whole API without any import of `aws-amplify`.
export { fromCurrentSession } from './adapters/current-session.js';
export { fromFetchAuthSession } from './adapters/fetch-auth-session.js';
export { AmplifyAuthError, isAmplifyAuthError, SessionEndedError } from './errors.js';
export { installAmplifyAuth } from './install.js';

export type { AuthV5Like } from './adapters/current-session.js';
export type { FetchAuthSession } from './adapters/fetch-auth-session.js';
export type { HubLike } from './adapters/hub.js';
export type { AmplifyAuthErrorOptions } from './errors.js';
export type {
  AmplifyAuth,
  AmplifyAuthErrorCode,
  AmplifyAuthEvents,
  AmplifyAuthListener,
  AmplifyAuthOptions,
  AmplifyAuthRequestOptions,
  LogoutReason,
  SessionTokens,
  TokenSource,
} from './types.js';
