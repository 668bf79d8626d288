import {
  type AxiosAdapter,
  AxiosError,
  type AxiosResponse,
  type AxiosResponseHeaders,
  CanceledError,
  getAdapter,
  isAxiosError,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { AllowChecks, Route } from './allowlist.js';
import { unlessCanceled } from './cancellation.js';
import { type SessionCoordinator, userOf } from './coordinator.js';
import { isAmplifyAuthError, sessionChanged } from './errors.js';
import { expiresWithin, otherUser, readClaims, type TokenClaims } from './jwt.js';
import type { ResolvedOptions } from './options.js';
import { redirectGuard, redirectTarget, stripToken } from './redirects.js';
import { asRequestError, type Session, type Tokens } from './session.js';
import type { Emitter } from './events.js';
import type { AmplifyAuthRequestOptions, SkipReason } from './types.js';

/**
 * What the plugin remembers about one attempt, beside the caller's own options under the one
 * `amplifyAuth` key of the config the adapter gets (as axios-retry does): a config copied from a
 * response and sent again is recognised, and the token in it is not sent on as the caller's own.
 */
interface RequestState extends AmplifyAuthRequestOptions {
  /** The token this plugin attached. */
  sent?: string;
  /** This plugin set `fetchOptions.redirect = 'manual'` (not the caller). */
  manual?: boolean;
}

type AdapterSpec = InternalAxiosRequestConfig['adapter'];
type Outcome = { response: AxiosResponse } | { error: unknown };

export interface TransportContext {
  options: ResolvedOptions;
  events: Emitter;
  coordinator: SessionCoordinator;
  isAllowed: AllowChecks;
  isActive: () => boolean;
}

/** A body that was consumed by the first attempt (a stream) cannot be sent again. */
function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return false;
  return typeof ReadableStream === 'undefined' || !(data instanceof ReadableStream);
}

// Every install's wrappers, with the adapter each wraps: a config re-sent through another
// instance carries this one's wrapper, which that install unwraps rather than nests.
const inners = new WeakMap<AxiosAdapter, AdapterSpec>();

// axios ≥ 1.12 gives `getAdapter` the config (to pick the fetch it was given); earlier ones ignore it.
const resolveAdapter = getAdapter as (spec: AdapterSpec, config: InternalAxiosRequestConfig) => AxiosAdapter;

const settle = (attempt: Promise<AxiosResponse>): Promise<Outcome> =>
  attempt.then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );

function unwrap(outcome: Outcome): AxiosResponse {
  if ('error' in outcome) throw outcome.error;
  return outcome.response;
}

/** The response an outcome carries: a resolved one, or the one in axios's error. */
function responseOf(outcome: Outcome): AxiosResponse | undefined {
  if ('response' in outcome) return outcome.response;
  return isAxiosError(outcome.error) ? outcome.error.response : undefined;
}

/**
 * The plugin's part of a request, done where nothing of the app runs after it: inside axios's
 * `dispatchRequest`, as a wrapper around the adapter. There the config is final (every
 * interceptor and `transformRequest` has run), so the token is judged against the URL that is
 * really sent; and a retry after a rejected token resends the very bytes and headers of the
 * first attempt through the adapter alone, so that to the app a retried call is one call.
 */
export function createTransport({ options, events, coordinator, isAllowed, isActive }: TransportContext) {
  const { leewaySeconds, refreshTimeoutMs } = options;
  const tokenKeyOf = (route: Route) => (route.tokenType === 'id' ? 'idToken' : 'accessToken');
  const headerValue = (route: Route, token: string): string => (route.scheme ? `${route.scheme} ${token}` : token);
  // Where fetch or a browser follows redirects out of the plugin's sight, only `Authorization` on
  // origin-wide rules is safe: fetch drops it across origins, and every hop within one is allowed.
  const redirectsNeedJudging = (route: Route): boolean => route.header.toLowerCase() !== 'authorization' || !isAllowed.originWide;

  /** The `skip` event, built only when somebody listens: the common path pays nothing for it. */
  function skipped(config: InternalAxiosRequestConfig, reason: SkipReason): void {
    if (!events.has('skip')) return;
    const fullPath = isAllowed.fullPath(config);
    events.emit('skip', { url: fullPath ?? String(config.url), reason });
  }

  /** Whether the app's rule, or the status, says the token was rejected; the app's rule sees parsed data. */
  function isRejected(response: AxiosResponse | undefined, config: InternalAxiosRequestConfig): boolean {
    if (!response) return false;
    if (!options.judgesData) return options.isRejected(response);
    let data: unknown = response.data;
    const transforms = config.transformResponse;
    for (const transform of Array.isArray(transforms) ? transforms : transforms ? [transforms] : []) {
      data = transform.call(config, data, response.headers as AxiosResponseHeaders, response.status);
    }
    try {
      return options.isRejected({ ...response, data }) === true;
    } catch {
      // The app's rule failing on an unexpected body is no verdict of rejection.
      return false;
    }
  }
  // One wrapper per adapter: functions by identity, names (and lists of names, which axios's
  // config merge copies for every request) by their text.
  const byFunction = new WeakMap<object, AxiosAdapter>();
  const byName = new Map<string, AxiosAdapter>();

  let claimsOf: { token: string; claims: TokenClaims } | undefined;
  function claims(token: string): TokenClaims {
    if (claimsOf?.token !== token) claimsOf = { token, claims: readClaims(token) };
    return claimsOf.claims;
  }
  const isExpiring = (token: string): boolean => expiresWithin(claims(token), leewaySeconds, Date.now() + coordinator.clockSkewMs);

  /**
   * Asks the coordinator on behalf of one request: not at all when the request is cancelled
   * already, cancellable while waiting, and with errors that carry the request's config.
   */
  async function waitFor(ask: () => Promise<Tokens>, config: InternalAxiosRequestConfig): Promise<Tokens> {
    config.cancelToken?.throwIfRequested();
    if (config.signal?.aborted) throw new CanceledError(undefined, config);
    try {
      return await unlessCanceled(ask(), config);
    } catch (error) {
      throw asRequestError(error, config);
    }
  }

  /** The token for a request of `session` when memory (`kept`) has none that can go as it is. */
  async function tokenFor(
    session: Session,
    config: InternalAxiosRequestConfig,
    tokenKey: 'idToken' | 'accessToken',
    kept: Tokens | false,
  ): Promise<string | undefined> {
    const token = (kept === false ? await waitFor(() => coordinator.tokens(session, refreshTimeoutMs), config) : kept)?.[tokenKey];
    if (!token || !isExpiring(token)) return token;
    return (await waitFor(() => coordinator.renew(session, 'expiring', token, refreshTimeoutMs), config))?.[tokenKey];
  }

  /** One attempt with `token`, following redirects itself where the adapter was told not to. */
  async function attempt(adapter: AxiosAdapter, config: InternalAxiosRequestConfig, route: Route, token: string): Promise<Outcome> {
    const prior: RequestState | undefined = config.amplifyAuth;
    const judged = redirectsNeedJudging(route);
    if (!judged && !prior?.manual) {
      // The common case, kept lean: `Authorization` on origin-wide rules needs no redirect
      // handling. axios's merge gave this request its own config and `amplifyAuth` to carry our
      // state; a plain property, as axios's own headers are (absent was checked, a JWT is clean).
      const state: RequestState = prior ?? {};
      state.sent = token;
      config.amplifyAuth = state;
      (config.headers as unknown as Record<string, string>)[route.header] = headerValue(route, token);
      return settle(adapter(config));
    }
    // A `redirect: 'manual'` that an install set on a config copied from its response is not the caller's.
    // `'follow'` is fetch's default said out loud: the plugin follows, judging each hop.
    const callersRedirect = prior?.manual ? undefined : config.fetchOptions?.redirect;
    const manual = judged && (callersRedirect === undefined || callersRedirect === 'follow') && config.maxRedirects !== 0;
    const state: RequestState = { ...prior, sent: token, manual };
    const { header } = route;
    const value = headerValue(route, token);
    // A hop keeps the token only where the same route (header, scheme, token) is allowed.
    const hopAllowed = (fullPath: string): boolean => isAllowed.route(fullPath) === route;
    let current: InternalAxiosRequestConfig = { ...config, amplifyAuth: state };
    current.headers.set(header, value);
    if (judged) current.beforeRedirect = redirectGuard(token, hopAllowed, config.beforeRedirect);
    if (manual) current.fetchOptions = { ...config.fetchOptions, redirect: 'manual' };
    else if (prior?.manual) current.fetchOptions = { ...config.fetchOptions, redirect: 'follow' };
    let outcome = await settle(adapter(current));
    for (let hops = 0; manual && hops < (config.maxRedirects ?? 20); hops++) {
      const from = isAllowed.fullPath(current);
      const next = from === undefined ? undefined : redirectTarget(responseOf(outcome), from);
      if (!next) break;
      const status = responseOf(outcome)?.status;
      const headers = current.headers.concat();
      // As fetch does: 303, and 301/302 after a POST, become a GET without a body.
      const toGet = status === 303 || ((status === 301 || status === 302) && current.method?.toLowerCase() === 'post');
      if (toGet) {
        headers.delete('content-type');
        headers.delete('content-length');
      }
      if (hopAllowed(next.href)) headers.set(header, value);
      else stripToken(headers as unknown as Record<string, unknown>, token);
      // The next hop's URL is absolute and complete: no baseURL, no params to add again.
      const { baseURL: _baseURL, params: _params, ...rest } = current;
      current = { ...rest, url: next.href, headers, ...(toGet && { method: 'get', data: undefined }) };
      outcome = await settle(adapter(current));
    }
    return outcome;
  }

  async function send(adapter: AxiosAdapter, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const state: RequestState | undefined = config.amplifyAuth;
    if (!isActive()) return adapter(config);
    if (state?.skip) {
      skipped(config, 'opted-out');
      return adapter(config);
    }
    const headers = config.headers;
    // Our own token, in a config copied from an earlier response: renewed, not sent on as the caller's.
    if (state?.sent) stripToken(headers as unknown as Record<string, unknown>, state.sent);
    const route = isAllowed.request(config);
    if (!route) {
      skipped(config, 'not-allowed');
      return adapter(config);
    }
    const present: unknown = headers.get(route.header);
    if (present != null && present !== false) {
      skipped(config, 'header-set');
      return adapter(config);
    }

    const tokenKey = tokenKeyOf(route);
    const session = coordinator.current;
    // The common case waits for nothing: a token in memory that is not expiring.
    const kept = coordinator.peek(session);
    const keptToken = kept === false ? undefined : kept?.[tokenKey];
    const token = kept !== false && (!keptToken || !isExpiring(keptToken)) ? keptToken : await tokenFor(session, config, tokenKey, kept);
    // Uninstalled while it waited: the request goes out as if the plugin had never been there.
    if (!isActive()) return adapter(config);
    if (!token) {
      skipped(config, 'signed-out');
      return adapter(config);
    }
    const first = await attempt(adapter, config, route, token);
    const rejected = responseOf(first);
    if (!isRejected(rejected, config) || !isActive() || !isReplayable(config.data)) return unwrap(first);

    const cause = 'error' in first ? first.error : new AxiosError('Token rejected', undefined, config, undefined, rejected);
    const renewed = await waitFor(() => coordinator.renew(session, 'unauthorized', token, refreshTimeoutMs), config).catch(
      (error: unknown) => {
        // Its session was left while the retry waited: the rejection of the first attempt is why.
        throw isAmplifyAuthError(error) && error.code === 'SESSION_CHANGED' ? asRequestError(sessionChanged(cause), config) : error;
      },
    );
    const next = renewed?.[tokenKey];
    // Nobody is signed in any more (the app signed out meanwhile): the rejection stands.
    if (!next || !isActive()) return unwrap(first);
    // A retry goes out only as the user whose token was rejected.
    if (renewed && otherUser(userOf(renewed), claims(token).sub)) throw asRequestError(sessionChanged(cause), config);
    return unwrap(await attempt(adapter, config, route, next));
  }

  /** The adapter the request would use, wrapped; the same wrapper for the same adapter. */
  function wrap(spec: AdapterSpec): AxiosAdapter {
    // Another install's wrapper (a config re-sent through this instance) is unwrapped, not nested.
    const inner = typeof spec === 'function' && inners.has(spec) ? inners.get(spec) : spec;
    const name =
      typeof inner === 'string'
        ? inner
        : Array.isArray(inner) && inner.every((entry) => typeof entry === 'string')
          ? inner.join()
          : undefined;
    const known = name === undefined ? (typeof inner === 'function' ? byFunction.get(inner) : undefined) : byName.get(name);
    if (known) return known;
    const wrapper: AxiosAdapter = (config) => send(resolveAdapter(inner, config), config);
    inners.set(wrapper, inner);
    if (name !== undefined) byName.set(name, wrapper);
    else if (typeof inner === 'function') byFunction.set(inner, wrapper);
    return wrapper;
  }

  function onRequest(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
    if (!isActive()) return config;
    if (config.amplifyAuth?.skip) skipped(config, 'opted-out');
    else config.adapter = wrap(config.adapter);
    return config;
  }

  return { onRequest };
}
