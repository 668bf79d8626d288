// `axios-amplify-auth/server`: the session of one server request. No import of `aws-amplify`.
export { fromServerContext } from './adapters/server-context.js';

export type { JwtLike } from './adapters/hub.js';
export type { ServerFetchAuthSession } from './adapters/server-context.js';
