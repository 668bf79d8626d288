// `axios-amplify-auth/iam`: requests signed with AWS Signature V4 from the identity pool's credentials.
export { installAmplifyIam } from './iam/amplify-v6.js';
export { AmplifyAuthError, isAmplifyAuthError, isSessionEndedError, SessionEndedError } from './errors.js';

export type { AmplifyIamOptions } from './iam/install.js';
export type { AmplifyAuth, AmplifyAuthEvents, AmplifyAuthListener, AmplifyAuthRequestOptions, LogoutReason, SkipReason } from './types.js';
