import type { AxiosInstance } from 'axios';
import { installResolved } from '../install.js';
import { assertAxiosInstance, resolveOptions } from '../options.js';
import type { AmplifyAuth, AmplifyAuthOptions, TokenSource } from '../types.js';
import { signatureAttachment } from './attachment.js';
import { fromCredentialsProvider } from './credentials.js';
import { credentialsTokenSource } from './source.js';

/**
 * Options of {@link installAmplifyIam}.
 * @example
 * const options: AmplifyIamOptions = { region: 'eu-west-1', service: 'execute-api', allow: ['https://abc123.execute-api.eu-west-1.amazonaws.com'] };
 */
export interface AmplifyIamOptions {
  /** The API's region, for example `'eu-west-1'`. */
  region: string;
  /** The signing name of the service: `'execute-api'` (API Gateway), `'lambda'` (function URLs), `'appsync'`. */
  service: string;
  /**
   * Where credentials come from: a function answering `{ accessKeyId, secretAccessKey, sessionToken?, expiration? }`
   * (`expiration` a `Date`, an ISO 8601 string or milliseconds). Asked once, then again shortly
   * before `expiration`, or when the API says they expired; one call at a time.
   * @default Amplify v6: the Cognito identity pool's credentials from `fetchAuthSession()` (guest or signed in)
   */
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date | string | number }>;
  /**
   * Which URLs are signed; the others are sent unsigned.
   * @default relative URLs, the origin of the instance's `baseURL`, and (in a browser) the page's origin
   */
  allow?: AmplifyAuthOptions['allow'];
  /**
   * Get new credentials before sending when they expire within this many seconds.
   * @default 60
   */
  leewaySeconds?: number;
  /**
   * A credentials call that takes longer fails with `REFRESH_TIMEOUT`.
   * @default 10000
   */
  refreshTimeoutMs?: number;
}

const region = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const serviceName = /^[a-z0-9][a-z0-9-]*$/;

/** Runs the installer's own validation, with messages that name this installer. */
function asIam<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof TypeError) error.message = error.message.replace(/^installAmplifyAuth:/, 'installAmplifyIam:');
    throw error;
  }
}

/**
 * The shared install of `/iam` and its Amplify default: validates, turns the credentials into the
 * coordinator's kind of source, and installs with signing as the way requests carry them.
 */
export function installIam(
  instance: AxiosInstance,
  options: AmplifyIamOptions,
  defaultSource: (() => TokenSource) | undefined,
): AmplifyAuth {
  assertAxiosInstance(instance);
  if (typeof options !== 'object' || options === null)
    throw new TypeError('installAmplifyIam: `options` must be an object with `region` and `service`');
  const { region: where, service, credentials, ...rest } = options;
  if (typeof where !== 'string' || !region.test(where)) {
    throw new TypeError(`installAmplifyIam: \`region\` must be an AWS region such as 'eu-west-1' (got ${String(where)})`);
  }
  if (typeof service !== 'string' || !serviceName.test(service)) {
    throw new TypeError(
      `installAmplifyIam: \`service\` must be a signing name such as 'execute-api', 'lambda' or 'appsync' (got ${String(service)})`,
    );
  }
  if (credentials !== undefined && typeof credentials !== 'function')
    throw new TypeError('installAmplifyIam: `credentials` must be a function');
  for (const key of Object.keys(rest)) {
    if (!['allow', 'leewaySeconds', 'refreshTimeoutMs'].includes(key)) {
      throw new TypeError(
        `installAmplifyIam: \`${key}\` must be one of region, service, credentials, allow, leewaySeconds, refreshTimeoutMs (got an unknown option)`,
      );
    }
  }
  const source = credentials ? sourceOf(credentials) : defaultSource?.();
  if (!source) throw new TypeError('installAmplifyIam: `credentials` is required (a function that answers AWS credentials)');
  const resolved = asIam(() => resolveOptions({ ...rest, source }, undefined));
  return asIam(() =>
    installResolved(instance, resolved, (_, isAllowed) => signatureAttachment({ region: where, service, sentUrl: isAllowed.sentUrl })),
  );
}

// One source per credentials function: every instance installed with it shares one call at a time.
const sources = new WeakMap<object, TokenSource>();
function sourceOf(credentials: NonNullable<AmplifyIamOptions['credentials']>): TokenSource {
  let source = sources.get(credentials);
  if (!source) sources.set(credentials, (source = credentialsTokenSource(fromCredentialsProvider(credentials))));
  return source;
}
