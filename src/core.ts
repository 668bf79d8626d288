// `axios-amplify-auth/core`: the whole API without any import of `aws-amplify`.
export { fromCurrentSession } from './adapters/current-session.js';
export { fromFetchAuthSession } from './adapters/fetch-auth-session.js';
export { browserTabs } from './adapters/tabs.js';
export { AmplifyAuthError, isAmplifyAuthError, isSessionEndedError, SessionEndedError } from './errors.js';
export { installAmplifyAuth } from './install.js';

export type { AuthV5Like } from './adapters/current-session.js';
export type { FetchAuthSession } from './adapters/fetch-auth-session.js';
export type { HubLike } from './adapters/hub.js';
export type { AmplifyAuthErrorOptions, AnyAmplifyAuthError } from './errors.js';
// `/core` has no default source: its options type is the one its installer takes.
export type { CoreAmplifyAuthOptions as AmplifyAuthOptions } from './install.js';
export type {
  AmplifyAuth,
  AmplifyAuthErrorCode,
  AmplifyAuthEvents,
  AmplifyAuthListener,
  AmplifyAuthRequestOptions,
  LogoutReason,
  AllowEntry,
  TabCoordination,
  SessionTokens,
  SkipReason,
  SourceChange,
  TokenSource,
} from './types.js';
