import type { AxiosInstance } from 'axios';
import type { AxiosResponse } from 'axios';
import type { AllowEntry, AmplifyAuthOptions, TokenSource } from './types.js';

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  source: TokenSource;
  tokenType: 'id' | 'access';
  header: string;
  scheme: string;
  allow: AmplifyAuthOptions['allow'];
  /** Whether a response means "token rejected": `isRejected`, or the status in `statusCodes`. */
  isRejected: (response: AxiosResponse) => boolean;
  /** `isRejected` is the app's: it judges `data` as `transformResponse` makes it. */
  judgesData: boolean;
  leewaySeconds: number;
  refreshTimeoutMs: number;
}

type Rule = readonly [fallback: unknown, isValid: (value: unknown) => boolean, expected: string];

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
// Headers a browser refuses to let a script set (the Fetch standard's forbidden request-header
// names) and those that frame the message: a token there is never sent, or breaks every request.
const forbiddenHeader =
  /^(accept-charset|accept-encoding|access-control-request-(headers|method)|connection|content-length|content-type|cookie2?|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i;
const isHeaderName = (value: unknown): boolean =>
  typeof value === 'string' && /^[!#$%&'*+.^_`|~\w-]+$/.test(value) && !forbiddenHeader.test(value);
const isScheme = (value: unknown): boolean => typeof value === 'string' && !/[\s\p{Cc}]/u.test(value);
const isTokenType = (value: unknown): boolean => value === 'id' || value === 'access';
const isEntryKey = (key: string): key is keyof AllowEntry => ['url', 'tokenType', 'scheme', 'header'].includes(key);
/** A per-API entry: a `url` as a plain entry, and any of `tokenType`, `scheme`, `header`. */
const isAllowEntry = (value: unknown): boolean =>
  isObject(value) &&
  (typeof value.url === 'string' || value.url instanceof RegExp) &&
  Object.keys(value).every(isEntryKey) &&
  (value.tokenType === undefined || isTokenType(value.tokenType)) &&
  (value.scheme === undefined || isScheme(value.scheme)) &&
  (value.header === undefined || isHeaderName(value.header));
const isStatus = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599;

/** Every option: its default, what a valid value is, and how the TypeError says so. */
const rules: Record<Exclude<keyof AmplifyAuthOptions, 'source'>, Rule> = {
  tokenType: ['id', isTokenType, "'id' or 'access'"],
  // RFC 9110 token characters: anything else is not a header name axios or a browser will send.
  header: ['Authorization', isHeaderName, 'a header name that is not a forbidden or framing header (Host, Cookie, Content-Length…)'],
  scheme: ['Bearer', isScheme, "a word without spaces ('' for a bare token)"],
  allow: [
    undefined,
    (value) =>
      value === undefined ||
      isFunction(value) ||
      // Indexed, not `every`, which skips the holes of a sparse array.
      (Array.isArray(value) &&
        Array.from(value, (entry: unknown) => typeof entry === 'string' || entry instanceof RegExp || isAllowEntry(entry)).every(Boolean)),
    'an array of origins, RegExps and { url, tokenType?, scheme?, header? } entries, or a function (a bare string is not)',
  ],
  statusCodes: [
    [401],
    (value) => Array.isArray(value) && value.length > 0 && value.every(isStatus),
    'a non-empty array of statuses 100–599',
  ],
  isRejected: [undefined, (value) => value === undefined || isFunction(value), 'a function (response) => boolean'],
  leewaySeconds: [60, (value) => Number.isFinite(value) && (value as number) >= 0, 'a finite number ≥ 0'],
  // setTimeout fires at once for delays above 2^31 - 1 ms.
  refreshTimeoutMs: [10_000, (value) => typeof value === 'number' && value > 0 && value < 2 ** 31, 'a number of ms, > 0 and < 2^31'],
};

/** Throws the TypeError that names `option`; `got` is the value received, when there was one. */
function fail(option: string, expected: string, ...got: [unknown?]): never {
  const received = got.length > 0 ? ` (got ${String(got[0])})` : '';
  throw new TypeError(`installAmplifyAuth: \`${option}\` must be ${expected}${received}`);
}

export function assertAxiosInstance(instance: unknown): asserts instance is AxiosInstance {
  const candidate = instance as Partial<AxiosInstance> | undefined;
  if (
    !isFunction(candidate?.request) ||
    !isObject(candidate?.defaults) ||
    !isFunction(candidate.interceptors?.request?.use) ||
    !isFunction(candidate.interceptors?.response?.use)
  ) {
    fail('instance', 'an axios instance (from axios.create())');
  }
}

/**
 * Validates `options` and fills in the defaults. Every problem is a TypeError that names the
 * option, thrown before anything is installed. `undefined` means the default; `null` is wrong.
 */
export function resolveOptions(options: unknown, defaultSource: (() => TokenSource) | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (!isObject(options)) fail('options', 'an object', options);
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(options))
    if (key !== 'source' && !(key in rules)) fail(key, `one of ${Object.keys(rules)}, source`, 'an unknown option');
  for (const [key, [fallback, isValid, expected]] of Object.entries(rules)) {
    const value = options[key] === undefined ? fallback : options[key];
    if (!isValid(value)) fail(key, expected, value);
    resolved[key] = value;
  }
  if (options.isRejected !== undefined && options.statusCodes !== undefined) {
    fail('isRejected', 'given without `statusCodes` (it replaces them)');
  }
  const source = options.source === undefined ? defaultSource?.() : options.source;
  if (!isObject(source) || !isFunction(source.getTokens)) fail('source', 'a TokenSource (with `getTokens`)', source);
  if (source.subscribe !== undefined && !isFunction(source.subscribe)) fail('source.subscribe', 'a function', source.subscribe);
  const custom = resolved.isRejected as ((response: AxiosResponse) => boolean) | undefined;
  const statusCodes = new Set(resolved.statusCodes as number[]);
  const isRejected = custom ?? ((response: AxiosResponse) => statusCodes.has(response.status));
  // Each value passed its rule above, which is what the cast states.
  return { ...resolved, source, isRejected, judgesData: custom !== undefined } as unknown as ResolvedOptions;
}
