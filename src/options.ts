import type { AxiosInstance } from 'axios';
import type { AmplifyAuthOptions, TokenSource } from './types.js';

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  source: TokenSource;
  tokenType: 'id' | 'access';
  header: string;
  scheme: string;
  allow: AmplifyAuthOptions['allow'];
  statusCodes: ReadonlySet<number>;
  leewaySeconds: number;
  refreshTimeoutMs: number;
}

const known = new Set<string>([
  'source',
  'tokenType',
  'header',
  'scheme',
  'allow',
  'statusCodes',
  'leewaySeconds',
  'refreshTimeoutMs',
] satisfies Array<keyof AmplifyAuthOptions>);

// RFC 9110 token characters: anything else is not a header name that axios or a browser will send.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// setTimeout fires at once for delays above 2^31 - 1 ms.
const maxTimeoutMs = 2 ** 31 - 1;

function fail(option: string, expected: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new TypeError(`installAmplifyAuth: \`${option}\` must be ${expected} (got ${shown})`);
}

/** The default for `undefined` only: `null` is a wrong value, reported, not a default. */
function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function assertAxiosInstance(instance: unknown): asserts instance is AxiosInstance {
  const candidate = instance as Partial<AxiosInstance> | null | undefined;
  const ok =
    (typeof instance === 'function' || isObject(instance)) &&
    typeof candidate?.request === 'function' &&
    isObject(candidate.defaults) &&
    typeof candidate.interceptors?.request?.use === 'function' &&
    typeof candidate.interceptors?.response?.use === 'function';
  if (!ok) throw new TypeError('installAmplifyAuth: `instance` must be an axios instance (from axios.create())');
}

function assertSource(source: unknown): asserts source is TokenSource {
  if (!isObject(source) || typeof source.getTokens !== 'function') {
    fail('source', 'a TokenSource: an object with a `getTokens` function', source);
  }
  if (source.subscribe !== undefined && typeof source.subscribe !== 'function') {
    fail('source.subscribe', 'a function when present', source.subscribe);
  }
}

function assertAllow(allow: unknown): void {
  if (allow === undefined || typeof allow === 'function') return;
  if (!Array.isArray(allow)) fail('allow', 'an array of origins and RegExps, or a function (a bare string is not)', allow);
  allow.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' && !(entry instanceof RegExp)) fail(`allow[${index}]`, 'a string or a RegExp', entry);
  });
}

function assertStatusCodes(codes: unknown): void {
  if (!Array.isArray(codes) || codes.length === 0) fail('statusCodes', 'a non-empty array of HTTP statuses', codes);
  codes.forEach((code: unknown, index) => {
    if (!Number.isInteger(code) || (code as number) < 100 || (code as number) > 599) {
      fail(`statusCodes[${index}]`, 'an integer from 100 to 599', code);
    }
  });
}

/**
 * Validates `options` and fills in the defaults. Every problem is a TypeError that names the
 * option, thrown before anything is installed.
 */
export function resolveOptions(options: unknown, defaultSource: (() => TokenSource) | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (!isObject(options)) fail('options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new TypeError(`installAmplifyAuth: unknown option \`${key}\`; the options are ${[...known].join(', ')}`);
    }
  }
  const o = options as AmplifyAuthOptions;

  if (o.source === undefined && !defaultSource) fail('source', 'a TokenSource (required with /core)', undefined);
  const source = orDefault(o.source, defaultSource?.());
  assertSource(source);

  const tokenType = orDefault(o.tokenType, 'id');
  if (tokenType !== 'id' && tokenType !== 'access') fail('tokenType', "'id' or 'access'", tokenType);

  const header = orDefault(o.header, 'Authorization');
  if (typeof header !== 'string' || !headerName.test(header)) fail('header', 'a non-empty header name', header);

  const scheme = orDefault(o.scheme, 'Bearer');
  if (typeof scheme !== 'string' || /[\s\p{Cc}]/u.test(scheme)) {
    fail('scheme', "a string without spaces or control characters ('' for a bare token)", scheme);
  }

  assertAllow(o.allow);

  const statusCodes = orDefault(o.statusCodes, [401]);
  assertStatusCodes(statusCodes);

  const leewaySeconds = orDefault(o.leewaySeconds, 60);
  if (typeof leewaySeconds !== 'number' || !Number.isFinite(leewaySeconds) || leewaySeconds < 0) {
    fail('leewaySeconds', 'a finite number ≥ 0', leewaySeconds);
  }

  const refreshTimeoutMs = orDefault(o.refreshTimeoutMs, 10_000);
  if (typeof refreshTimeoutMs !== 'number' || !(refreshTimeoutMs > 0) || refreshTimeoutMs > maxTimeoutMs) {
    fail('refreshTimeoutMs', `a number > 0 and ≤ ${maxTimeoutMs}`, refreshTimeoutMs);
  }

  return {
    source,
    tokenType,
    header,
    scheme,
    allow: o.allow,
    statusCodes: new Set(statusCodes),
    leewaySeconds,
    refreshTimeoutMs,
  };
}
