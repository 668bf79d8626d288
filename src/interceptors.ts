import { type AxiosInstance, CanceledError, type InternalAxiosRequestConfig, isAxiosError } from 'axios';
import type { AllowChecks } from './allowlist.js';
import { unlessCanceled } from './cancellation.js';
import type { SessionCoordinator } from './coordinator.js';
import { forRequest, isAmplifyAuthError } from './errors.js';
import { expiresWithin, readTokenTimes, type TokenTimes } from './jwt.js';
import type { ResolvedOptions } from './options.js';
import { createRedirectGuard } from './redirect-guard.js';
import type { AmplifyAuthRequestOptions, SessionTokens } from './types.js';

/**
 * What the plugin remembers about one request, kept beside the caller's own options under the one
 * `amplifyAuth` key, so that it survives axios's config merge on a retry (as axios-retry does).
 */
interface RequestState extends AmplifyAuthRequestOptions {
  /** The token this plugin attached. */
  sent?: string;
  /** This request is already the one retry. */
  retried?: boolean;
}

export interface InterceptorContext {
  instance: AxiosInstance;
  options: ResolvedOptions;
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

export function createInterceptors({ instance, options, coordinator, isAllowed, isActive }: InterceptorContext) {
  const { header, scheme, statusCodes, leewaySeconds, refreshTimeoutMs } = options;
  const tokenKey = options.tokenType === 'id' ? 'idToken' : 'accessToken';
  const headerValue = (token: string): string => (scheme ? `${scheme} ${token}` : token);
  const guardRedirects = createRedirectGuard(header, isAllowed.url);

  let timesOf: { token: string; times: TokenTimes } | undefined;
  function isExpiring(token: string): boolean {
    if (timesOf?.token !== token) timesOf = { token, times: readTokenTimes(token) };
    return expiresWithin(timesOf.times, leewaySeconds, Date.now() + coordinator.clockSkewMs);
  }

  /**
   * Asks the coordinator on behalf of one request: not at all when the request is cancelled
   * already, cancellable while waiting, and with errors that carry the request's config.
   */
  async function waitFor<T>(ask: () => Promise<T>, config: InternalAxiosRequestConfig): Promise<T> {
    config.cancelToken?.throwIfRequested();
    if (config.signal?.aborted) throw new CanceledError(undefined, config);
    try {
      return await unlessCanceled(ask(), config);
    } catch (error) {
      throw isAmplifyAuthError(error) ? forRequest(error, config) : error;
    }
  }

  function attach(config: InternalAxiosRequestConfig, token: string | undefined): InternalAxiosRequestConfig {
    if (!token) return config;
    // A plain property, as axios's own headers are: `set` would search and sanitize again what is
    // known to be absent and clean (the header was checked above; a JWT has no control characters).
    config.headers[header] = headerValue(token);
    guardRedirects(config);
    // axios's merge gave this request its own copy of `amplifyAuth`: it can carry our state.
    const state: RequestState = config.amplifyAuth ?? {};
    state.sent = token;
    config.amplifyAuth = state;
    return config;
  }

  async function attachAfterWaiting(config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> {
    const token = (await waitFor(() => coordinator.tokens(refreshTimeoutMs), config))?.[tokenKey];
    if (!token || !isExpiring(token)) return attach(config, token);
    return attach(config, (await waitFor(() => coordinator.renew('expiring', token, refreshTimeoutMs), config))?.[tokenKey]);
  }

  function onRequest(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
    if (!isActive()) return config;
    const state: RequestState | undefined = config.amplifyAuth;
    if (state?.skip) return config;
    const present: unknown = config.headers.get(header);
    if (present != null && present !== false) {
      // A header the caller set is theirs; ours, copied into a retry by someone else, is renewed.
      if (state?.sent === undefined || present !== headerValue(state.sent)) return config;
      config.headers.delete(header);
    }
    if (!isAllowed.request(config)) return config;
    // The common case needs no promise of its own: a token in memory that is not expiring.
    const kept: SessionTokens | undefined | false = coordinator.peek();
    if (kept !== false && !(kept && isExpiring(kept[tokenKey]))) return attach(config, kept?.[tokenKey]);
    return attachAfterWaiting(config);
  }

  async function onResponseError(error: unknown): Promise<unknown> {
    if (!isActive() || !isAxiosError(error) || !error.config || !error.response) throw error;
    const config = error.config;
    const state: RequestState | undefined = config.amplifyAuth;
    if (!statusCodes.has(error.response.status)) throw error;
    const sent = state?.sent;
    if (!sent || state.retried || state.skip || !isReplayable(config.data)) throw error;
    const tokens = await waitFor(() => coordinator.renew('unauthorized', sent, refreshTimeoutMs), config);
    // Nobody is signed in any more (the app signed out meanwhile): the 401 stands.
    if (!tokens?.[tokenKey]) throw error;
    const retry: RequestState = { ...state, retried: true };
    return instance.request({ ...config, amplifyAuth: retry });
  }

  return { onRequest, onResponseError };
}
