/**
 * AWS credentials for signing: their shape, their validation, their expiry, and where they come
 * from by default (Amplify v6's `fetchAuthSession().credentials`, the Cognito identity pool's).
 * Pure: no state, no coordination; the session coordinator decides when to ask again.
 */
import { toSessionError } from '../adapters/cognito-errors.js';

/**
 * Temporary AWS credentials, as a Cognito identity pool hands them out.
 * @example
 * const credentials: AwsCredentials = {
 *   accessKeyId: 'ASIA…',
 *   secretAccessKey: '…',
 *   sessionToken: '…',
 *   expiration: new Date(Date.now() + 3_600_000),
 * };
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present on temporary credentials (an identity pool's always are); sent as `X-Amz-Security-Token`. */
  readonly sessionToken?: string;
  /** When the credentials stop working; credentials without it are taken as never expiring. */
  readonly expiration?: Date;
}

/**
 * Credentials and whose they are: what a {@link CredentialsSource} answers.
 * @example
 * const answer: IdentityCredentials = { credentials, identityId: 'eu-west-1:1a2b…', userSub: undefined };
 */
export interface IdentityCredentials {
  readonly credentials: AwsCredentials;
  /**
   * The Cognito identity the credentials belong to (`<region>:<uuid>`), when the source knows it:
   * what tells one identity's credentials from another's (a guest's from a user's, one user's
   * from the next one's).
   */
  readonly identityId: string | undefined;
  /** The signed-in user's `sub`; `undefined` for a guest identity or a source that cannot tell. */
  readonly userSub: string | undefined;
}

/**
 * Where credentials come from: the IAM counterpart of a `TokenSource`.
 * @example
 * const source = fromAmplifyCredentials(fetchAuthSession);
 * const answer = await source.getCredentials({ forceRefresh: false });
 */
export interface CredentialsSource {
  /**
   * The current credentials, or `undefined` when there are none to be had (no identity pool is
   * configured, or guest access is off and nobody is signed in). `forceRefresh: true` asks for
   * new ones. Rejects with `SessionEndedError` when the identity can no longer get credentials
   * because its session ended; any other rejection is a transient failure.
   */
  getCredentials(options: { forceRefresh: boolean }): Promise<IdentityCredentials | undefined>;
}

// Cognito's wire format gives `Expiration` in seconds since the epoch; a number this small as
// milliseconds would be January 1973, so it can only be seconds passed where milliseconds belong.
const smallestMillisecondsEpoch = 1e11;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? (value === '' ? 'an empty string' : 'a string') : typeof value;
}

/**
 * `value` checked and normalized into {@link AwsCredentials}; throws a `TypeError` that says what
 * is wrong and where it came from (`origin`) otherwise. `expiration` may be a `Date`, an ISO 8601
 * string or milliseconds since the epoch (seconds are refused, with a hint, rather than read as
 * 1970); `sessionToken` must be a non-empty string when present.
 *
 * @default origin 'the credentials source'
 * @example
 * const credentials = toAwsCredentials(await myProvider(), 'options.credentials()');
 */
export function toAwsCredentials(value: unknown, origin = 'the credentials source'): AwsCredentials {
  const fail = (what: string): never => {
    throw new TypeError(
      `axios-amplify-auth/iam: ${origin} answered ${what}; expected { accessKeyId, secretAccessKey, sessionToken?, expiration? }`,
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(describe(value));
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = value as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || accessKeyId === '') return fail(`accessKeyId as ${describe(accessKeyId)} (a non-empty string)`);
  if (typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    return fail(`secretAccessKey as ${describe(secretAccessKey)} (a non-empty string)`);
  }
  if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken === '')) {
    return fail(`sessionToken as ${describe(sessionToken)} (a non-empty string, or absent)`);
  }
  let expires: Date | undefined;
  if (expiration instanceof Date) expires = expiration;
  else if (typeof expiration === 'number') {
    if (expiration > 0 && expiration < smallestMillisecondsEpoch) {
      return fail(`expiration ${expiration}, which looks like seconds since the epoch (milliseconds or a Date are expected)`);
    }
    expires = new Date(expiration);
  } else if (typeof expiration === 'string') expires = new Date(expiration);
  else if (expiration !== undefined) return fail(`expiration as ${describe(expiration)} (a Date, an ISO 8601 string or milliseconds)`);
  if (expires !== undefined && !Number.isFinite(expires.getTime())) return fail(`an invalid expiration (${String(expiration)})`);
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(expires === undefined ? {} : { expiration: new Date(expires.getTime()) }),
  };
}

/**
 * True when `credentials` expire within `leewayMs` of `nowMs` (or already have). Credentials
 * without `expiration` never do.
 *
 * @example
 * if (expiresWithin(credentials, 5 * 60_000, Date.now() + clockOffset)) await refresh();
 */
export function expiresWithin(credentials: AwsCredentials, leewayMs: number, nowMs: number): boolean {
  return credentials.expiration !== undefined && credentials.expiration.getTime() - nowMs <= leewayMs;
}

/**
 * Amplify v6's `fetchAuthSession` as far as credentials go, typed structurally (from
 * `aws-amplify/auth`): the real function is assignable without a cast.
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth';
 * const read: FetchAuthSessionCredentials = fetchAuthSession;
 */
export type FetchAuthSessionCredentials = (options?: { forceRefresh?: boolean }) => Promise<{
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  identityId?: string | undefined;
  userSub?: string | undefined;
}>;

/** Options of {@link fromAmplifyCredentials}. */
export interface AmplifyCredentialsOptions {
  /**
   * How to get new credentials without refreshing the user's tokens: Amplify's
   * `cognitoCredentialsProvider.clearCredentials` (from `aws-amplify/auth/cognito`), after which
   * a plain `fetchAuthSession()` asks the identity pool again. Without it a forced refresh is
   * `fetchAuthSession({ forceRefresh: true })`, which also refreshes the user pool tokens (one
   * more use of the refresh token each time the credentials are renewed).
   * @default none: `fetchAuthSession({ forceRefresh: true })`
   */
  readonly clearCredentials?: () => unknown;
}

/**
 * The default {@link CredentialsSource}: Amplify v6's `fetchAuthSession()`, whose `credentials`
 * are the identity pool's for the signed-in user, or for a guest when the pool allows guests
 * (`Auth.Cognito.allowGuestAccess`). `identityId` and `userSub` come along, so that a sign-in,
 * a sign-out or another user shows as another identity.
 *
 * Amplify keeps credentials in memory for 50 minutes whatever their `expiration` (its
 * `CREDENTIALS_TTL`), so a plain read can hand back expired credentials; the caller checks
 * {@link expiresWithin} and asks again with `forceRefresh: true`. An identity pool error that ends
 * the session (`NotAuthorizedException`: the identity is disabled, its logins no longer match)
 * rejects as `SessionEndedError`; every other error is passed on as it is (transient).
 *
 * @default options {}
 * @example
 * import { fetchAuthSession } from 'aws-amplify/auth';
 * import { cognitoCredentialsProvider } from 'aws-amplify/auth/cognito';
 * const source = fromAmplifyCredentials(fetchAuthSession, {
 *   clearCredentials: () => cognitoCredentialsProvider.clearCredentials(),
 * });
 */
export function fromAmplifyCredentials(
  fetchAuthSession: FetchAuthSessionCredentials,
  options: AmplifyCredentialsOptions = {},
): CredentialsSource {
  if (typeof fetchAuthSession !== 'function') {
    throw new TypeError('fromAmplifyCredentials: `fetchAuthSession` must be a function');
  }
  const { clearCredentials } = options;
  if (clearCredentials !== undefined && typeof clearCredentials !== 'function') {
    throw new TypeError('fromAmplifyCredentials: `options.clearCredentials` must be a function');
  }

  return {
    async getCredentials({ forceRefresh }) {
      let session: Awaited<ReturnType<FetchAuthSessionCredentials>>;
      try {
        if (forceRefresh && clearCredentials) {
          await clearCredentials();
          session = await fetchAuthSession();
        } else {
          session = await fetchAuthSession(forceRefresh ? { forceRefresh: true } : {});
        }
      } catch (error) {
        throw toSessionError(error);
      }
      if (session.credentials === undefined) return undefined;
      return {
        credentials: toAwsCredentials(session.credentials, 'fetchAuthSession()'),
        identityId: typeof session.identityId === 'string' ? session.identityId : undefined,
        userSub: typeof session.userSub === 'string' ? session.userSub : undefined,
      };
    },
  };
}

/**
 * A {@link CredentialsSource} from a function that returns credentials (`options.credentials`):
 * each call, forced or not, asks it again and checks the answer. It knows no identity.
 *
 * @example
 * const source = fromCredentialsProvider(async () => {
 *   const { Credentials } = await sts.send(new AssumeRoleCommand(params));
 *   return { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey,
 *            sessionToken: Credentials.SessionToken, expiration: Credentials.Expiration };
 * });
 */
export function fromCredentialsProvider(provider: () => Promise<unknown>): CredentialsSource {
  if (typeof provider !== 'function') throw new TypeError('fromCredentialsProvider: `provider` must be a function');
  return {
    async getCredentials() {
      const answer = await provider();
      if (answer === undefined) return undefined;
      return { credentials: toAwsCredentials(answer, 'options.credentials()'), identityId: undefined, userSub: undefined };
    },
  };
}
