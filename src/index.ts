// `axios-amplify-auth`: everything in `/core`, with Amplify v6 as the default token source.
export { fromCurrentSession } from './adapters/current-session.js';
export { fromFetchAuthSession } from './adapters/fetch-auth-session.js';
export { browserTabs } from './adapters/tabs.js';
export { amplifyV6Source, installAmplifyAuth } from './amplify-v6.js';
export { AmplifyAuthError, isAmplifyAuthError, isSessionEndedError, SessionEndedError } from './errors.js';

export type { AuthV5Like } from './adapters/current-session.js';
export type { FetchAuthSession } from './adapters/fetch-auth-session.js';
export type { HubLike } from './adapters/hub.js';
export type { AmplifyAuthErrorOptions, AnyAmplifyAuthError } from './errors.js';
export type {
  AmplifyAuth,
  AmplifyAuthErrorCode,
  AmplifyAuthEvents,
  AmplifyAuthListener,
  AmplifyAuthOptions,
  AmplifyAuthRequestOptions,
  LogoutReason,
  AllowEntry,
  TabCoordination,
  SessionTokens,
  SkipReason,
  SourceChange,
  TokenSource,
} from './types.js';
