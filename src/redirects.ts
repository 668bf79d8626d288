import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  getAdapter,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';

/** An attempt's result: the adapter's response, or what it threw. */
export type Outcome = { response: AxiosResponse } | { error: unknown };

/** What the plugin saw of one attempt's redirects: enough to judge its answer. */
export interface Chain {
  /** The attempt was redirected (by the adapter, or by the plugin following for it). */
  redirected: boolean;
  /** The last hop went out with the token: only then can its answer be about the token. */
  tokenOnLastHop: boolean;
}

/** Whether the token may ride on to a hop's URL. */
export type HopCheck = (url: string) => boolean;

/** Removes the credential from a hop's headers. */
export type Strip = (headers: Record<string, unknown>) => void;

type BeforeRedirect = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>;

/** An adapter's promise as an outcome, which never rejects. */
export const settle = (attempt: Promise<AxiosResponse>): Promise<Outcome> =>
  attempt.then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );

/** The response an outcome carries: a resolved one, or the one in axios's error. */
export function responseOf(outcome: Outcome): AxiosResponse | undefined {
  if ('response' in outcome) return outcome.response;
  const { error } = outcome;
  return isAxiosError(error) ? error.response : undefined;
}

/** Removes every header that carries `token` (whatever its name) from a header bag. */
export function stripToken(headers: Record<string, unknown>, token: string): void {
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (typeof value === 'string' && value.endsWith(token)) Reflect.deleteProperty(headers, key);
  }
}

/** A body that the first send consumed (a stream) cannot be sent again. */
export function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return false;
  return typeof ReadableStream === 'undefined' || !(data instanceof ReadableStream);
}

/**
 * The http adapter's `beforeRedirect` for one attempt. axios follows redirects itself in Node,
 * through follow-redirects, which before axios 1.21 keeps `Authorization` on a redirect to a
 * subdomain and keeps any other header everywhere. The token stays only while every hop is
 * allowed (`keeps`); once dropped, it is never put back (follow-redirects keeps the headers it
 * was left with for the rest of the chain).
 */
export function redirectGuard(chain: Chain, keeps: HopCheck, strip: Strip, callersHook: BeforeRedirect | undefined): BeforeRedirect {
  // The caller's own hook is put back once the attempt is answered (sendGuarded), so a config sent
  // again never brings a guard of ours with it: guards never nest.
  return (options, response, request) => {
    callersHook?.(options, response, request);
    chain.redirected = true;
    if (chain.tokenOnLastHop && typeof options.href === 'string' && keeps(options.href)) return;
    chain.tokenOnLastHop = false;
    strip(options.headers ?? {});
  };
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// The request-body header names of the Fetch standard, and Content-Length, which undici drops with them.
const requestBodyHeaders = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];
// What undici drops on a hop to another origin: the standard names Authorization; undici adds these.
const crossOriginHeaders = ['authorization', 'proxy-authorization', 'cookie', 'host'];
// The Fetch standard's limit ("if request's redirect count is 20, return a network error").
const fetchRedirectLimit = 20;

function headerOf(response: AxiosResponse, name: string): unknown {
  const headers = response.headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  return typeof headers.get === 'function' ? headers.get(name) : headers[name];
}

/** How one chain is followed: one hop sent, the token kept where it may go, the caller's deadline. */
export interface Follow {
  send: (hop: InternalAxiosRequestConfig) => Promise<Outcome>;
  chain: Chain;
  keeps: HopCheck;
  strip: Strip;
  /** When the first hop left (`Date.now()`): `timeout` covers the whole chain, as in fetch. */
  startedAt: number;
}

/** A network error as axios's fetch adapter reports fetch's own refusals: `ERR_NETWORK`, with fetch's reason. */
function networkError(reason: string, config: InternalAxiosRequestConfig, response: AxiosResponse): { error: AxiosError } {
  return { error: Object.assign(new AxiosError('Network Error', 'ERR_NETWORK', config, response.request), { cause: new Error(reason) }) };
}

/** A hop's timeout error, said as the caller's whole timeout (what plain fetch would report). */
function asChainTimeout(outcome: Outcome, hopTimeout: number, timeout: number): Outcome {
  if ('error' in outcome && isAxiosError(outcome.error) && (outcome.error.code === 'ETIMEDOUT' || outcome.error.code === 'ECONNABORTED')) {
    outcome.error.message = outcome.error.message.replace(String(hopTimeout), String(timeout));
  }
  return outcome;
}

/**
 * Follows the redirects of a request that was sent with `redirect: 'manual'`, as fetch follows
 * them — the steps of the Fetch standard's HTTP-redirect fetch
 * (https://fetch.spec.whatwg.org/#http-redirect-fetch), with undici's choices where the
 * standard leaves room — except that the token rides on only while {@link Follow.keeps} says so.
 * `url` is where the first hop went.
 */
export async function followRedirects(config: InternalAxiosRequestConfig, url: string, first: Outcome, follow: Follow): Promise<Outcome> {
  const { send, chain, keeps, strip, startedAt } = follow;
  const limit = config.maxRedirects ?? fetchRedirectLimit;
  let hop = config;
  let current = new URL(url);
  let outcome = first;
  for (let count = 0; ; count++) {
    const response = responseOf(outcome);
    // 1–3. A redirect status with a Location, resolved against the current URL; else this is the answer.
    if (!response || !redirectStatuses.has(response.status)) return outcome;
    const location = headerOf(response, 'location');
    if (typeof location !== 'string') return outcome;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return networkError('invalid redirect URL', hop, response);
    }
    // 4. Only HTTP(S) is followed.
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return networkError('URL scheme must be a HTTP(S) scheme', hop, response);
    // 5. A limit on hops (fetch's is 20): a loop ends here.
    if (count >= limit) return networkError('redirect count exceeded', hop, response);
    // 7. No credentials in the URL: Node's fetch is in "cors" mode with no origin of its own, so
    // every Location with user info is refused, with this reason (undici).
    if (next.username || next.password) return networkError('cross origin not allowed for request mode "cors"', hop, response);
    // 9. A streamed body cannot be sent again; 303 drops the body anyway.
    if (response.status !== 303 && hop.data != null && !isReplayable(hop.data)) {
      return networkError('cannot follow a redirect with a streamed body', hop, response);
    }
    const headers = AxiosHeaders.from(hop.headers).concat();
    let { method = 'get', data } = hop;
    // 12. 301/302 after a POST, and 303 after anything but GET or HEAD, become a GET without a body.
    const status = response.status;
    if (((status === 301 || status === 302) && method.toLowerCase() === 'post') || (status === 303 && !/^(get|head)$/i.test(method))) {
      method = 'get';
      data = undefined;
      for (const name of requestBodyHeaders) headers.delete(name);
    }
    // 13. Another origin gets none of the request's credentials.
    if (next.origin !== current.origin) for (const name of crossOriginHeaders) headers.delete(name);
    // The plugin's own rule: once dropped, the token never comes back (fetch never re-adds Authorization).
    chain.redirected = true;
    chain.tokenOnLastHop &&= keeps(next.href);
    if (!chain.tokenOnLastHop) strip(headers as unknown as Record<string, unknown>);
    // The caller's `timeout` covers the whole chain.
    const remaining = config.timeout ? config.timeout - (Date.now() - startedAt) : 0;
    if (config.timeout && remaining <= 0) {
      return { error: new AxiosError(`timeout of ${config.timeout}ms exceeded`, 'ETIMEDOUT', hop, response.request) };
    }
    // The next hop's URL is absolute and complete: no baseURL, no params to add again.
    const { baseURL: _baseURL, params: _params, ...rest } = hop;
    hop = {
      ...rest,
      url: next.href,
      method,
      data,
      headers,
      timeout: remaining,
      fetchOptions: { ...config.fetchOptions, redirect: 'manual' },
    };
    current = next;
    outcome = asChainTimeout(await send(hop), remaining, config.timeout ?? 0);
  }
}

/**
 * The outcome as the app sees it: the config is the app's request (its `url`, `baseURL`,
 * `params`, method and `fetchOptions`), not a hop's; `response.request` is the last hop's, where
 * the final URL is.
 */
export function asCallers(outcome: Outcome, config: InternalAxiosRequestConfig): Outcome {
  const response = responseOf(outcome);
  if (response) response.config = config;
  if ('error' in outcome && isAxiosError(outcome.error)) outcome.error.config = config;
  return outcome;
}

/** Whether `url` is on the origin of `first`: a chain that left it never carries the token again. */
export function sameOrigin(url: string, first: string | undefined): boolean {
  if (first === undefined) return false;
  try {
    return new URL(url).origin === new URL(first).origin;
  } catch {
    return false;
  }
}

/** Which of axios's adapters a request goes through: the http adapter's redirects are followed under the guard. */
export type AdapterKind = 'http' | 'other';

// axios ≥ 1.12 gives `getAdapter` the config (to pick the fetch it was given); earlier ones ignore it.
export const resolveAdapter = getAdapter as (
  spec: InternalAxiosRequestConfig['adapter'],
  config: InternalAxiosRequestConfig,
) => AxiosAdapter;
const kinds = new WeakMap<AxiosAdapter, AdapterKind>();

function axiosAdapter(name: 'http', config: InternalAxiosRequestConfig): AxiosAdapter | undefined {
  try {
    return resolveAdapter(name, config);
  } catch {
    // Not supported here (a browser).
    return undefined;
  }
}

/** Which adapter `adapter` is, by identity with axios's own, learned once per adapter function. */
export function adapterKind(adapter: AxiosAdapter, config: InternalAxiosRequestConfig): AdapterKind {
  let kind = kinds.get(adapter);
  if (kind === undefined) {
    kind = adapter === axiosAdapter('http', config) ? 'http' : 'other';
    kinds.set(adapter, kind);
  }
  return kind;
}

/** The attempt was answered with a redirect status (one the adapter did not follow). */
export function isRedirect(outcome: Outcome): boolean {
  const status = responseOf(outcome)?.status;
  return status !== undefined && redirectStatuses.has(status);
}

/**
 * Who follows an attempt's redirects: the adapter (axios's http adapter under the guard, or a
 * fetch the caller told what to do), the plugin (`follow`, as fetch would), or nobody (`stop`:
 * the 3xx is the answer, as axios ≥ 1.20 makes `maxRedirects: 0` on fetch).
 */
export type RedirectMode = 'adapter' | 'follow' | 'stop';

/** A browser's fetch hides a redirect it was told not to follow (an opaque response): there it can only be stopped. */
function redirectsHidden(): boolean {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.document === 'object' || typeof g.WorkerGlobalScope === 'function';
}

/**
 * How `config`'s redirects are handled. `judged`: the route's token is a custom header or its
 * `allow` is narrower than an origin, which fetch's own following would not respect.
 */
export function redirectMode(config: InternalAxiosRequestConfig, judged: boolean, kind: AdapterKind): RedirectMode {
  // The http adapter follows under the guard. Any other may be fetch underneath (an app's adapter
  // that calls axios's fetch adapter): it is told what fetch would be told.
  if (kind === 'http') return 'adapter';
  const callers = config.fetchOptions?.redirect;
  // The caller's own 'manual' or 'error' is fetch's to apply; `'follow'` is fetch's default said out loud.
  if (callers !== undefined && callers !== 'follow') return 'adapter';
  // Fewer redirects must never mean more leaks: fetch before axios 1.20 ignores `maxRedirects`.
  if (config.maxRedirects === 0) return 'stop';
  if (redirectsHidden()) return judged ? 'stop' : 'adapter';
  return 'follow';
}

/** Puts the caller's own value of `key` back, or removes the plugin's where the caller had none. */
export function putBack(config: object, key: string, had: boolean, value: unknown): void {
  if (had) (config as Record<string, unknown>)[key] = value;
  else Reflect.deleteProperty(config, key);
}

/**
 * Sends the first hop with the guard as `beforeRedirect` and, unless the adapter follows,
 * `redirect: 'manual'`; the caller's own values are put back once it is answered, so that the
 * config the app gets back is its own.
 */
export async function sendGuarded(
  adapter: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  guard: BeforeRedirect,
  mode: RedirectMode,
): Promise<Outcome> {
  const own = (key: keyof InternalAxiosRequestConfig): boolean => Object.prototype.hasOwnProperty.call(config, key);
  const [hadHook, hadFetchOptions] = [own('beforeRedirect'), own('fetchOptions')];
  const { beforeRedirect, fetchOptions } = config;
  config.beforeRedirect = guard;
  if (mode !== 'adapter') config.fetchOptions = { ...fetchOptions, redirect: 'manual' };
  try {
    return await settle(adapter(config));
  } finally {
    putBack(config, 'beforeRedirect', hadHook, beforeRedirect);
    putBack(config, 'fetchOptions', hadFetchOptions, fetchOptions);
  }
}
