import { type AxiosAdapter, AxiosError, type AxiosResponse, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import type { AllowChecks, Route } from './allowlist.js';
import type { Attachment } from './attachment.js';
import { unlessCanceled } from './cancellation.js';
import { type SessionCoordinator, userOf } from './coordinator.js';
import { isAmplifyAuthError, sessionChanged } from './errors.js';
import { expiresWithin, otherUser, readClaims, type TokenClaims } from './jwt.js';
import type { ResolvedOptions } from './options.js';
import {
  adapterKind,
  resolveAdapter,
  asCallers,
  type Chain,
  followRedirects,
  isRedirect,
  isReplayable,
  type Outcome,
  redirectGuard,
  redirectMode,
  responseOf,
  sameOrigin,
  sendGuarded,
  settle,
} from './redirects.js';
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
}

type AdapterSpec = InternalAxiosRequestConfig['adapter'];

export interface TransportContext {
  options: ResolvedOptions;
  events: Emitter;
  coordinator: SessionCoordinator;
  isAllowed: AllowChecks;
  isActive: () => boolean;
  /** How a request carries the credential: a token in a header, or a signature (`/iam`). */
  attachment: Attachment;
}

// Every install's wrappers, with the adapter each wraps: a config re-sent through another
// instance carries this one's wrapper, which that install unwraps rather than nests.
const inners = new WeakMap<AxiosAdapter, AdapterSpec>();

function unwrap(outcome: Outcome): AxiosResponse {
  if ('error' in outcome) throw outcome.error;
  return outcome.response;
}

// Methods whose repetition does no work a server has not done already (RFC 9110 safe methods).
const safeMethods = /^(get|head|options)$/i;

/**
 * The plugin's part of a request, done where nothing of the app runs after it: inside axios's
 * `dispatchRequest`, as a wrapper around the adapter. There the config is final (every
 * interceptor and `transformRequest` has run), so the token is judged against the URL that is
 * really sent; and a retry after a rejected token resends the very bytes and headers of the
 * first attempt through the adapter alone, so that to the app a retried call is one call.
 */
export function createTransport({ options, events, coordinator, isAllowed, isActive, attachment }: TransportContext) {
  const { leewaySeconds, refreshTimeoutMs } = options;
  const tokenKeyOf = (route: Route) => (route.tokenType === 'id' ? 'idToken' : 'accessToken');
  // Where fetch or a browser follows redirects out of the plugin's sight, only `Authorization` on
  // origin-wide rules is safe: fetch drops it across origins, and every hop within one is allowed.
  // A signature (`/iam`) follows no redirect at all.
  const redirectsNeedJudging = (route: Route): boolean =>
    !attachment.followsRedirects || route.header.toLowerCase() !== 'authorization' || !isAllowed.originWide;

  /** The `skip` event, built only when somebody listens: the common path pays nothing for it. */
  function skipped(config: InternalAxiosRequestConfig, reason: SkipReason): void {
    if (!events.has('skip')) return;
    const fullPath = isAllowed.fullPath(config);
    events.emit('skip', { url: fullPath ?? String(config.url), reason });
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

  /** The token for a request of `session`: from memory when it can go as it is, else from the coordinator. */
  async function tokenFor(
    session: Session,
    config: InternalAxiosRequestConfig,
    tokenKey: 'idToken' | 'accessToken',
  ): Promise<string | undefined> {
    const kept = coordinator.peek(session);
    const keptToken = kept === false ? undefined : kept?.[tokenKey];
    // The common case waits for nothing: a token in memory that is not expiring.
    if (kept !== false && (!keptToken || !isExpiring(keptToken))) return keptToken;
    const token = (kept === false ? await waitFor(() => coordinator.tokens(session, refreshTimeoutMs), config) : kept)?.[tokenKey];
    if (!token || !isExpiring(token)) return token;
    return (await waitFor(() => coordinator.renew(session, 'expiring', token, refreshTimeoutMs), config))?.[tokenKey];
  }

  /**
   * One attempt with `token`. Redirects are followed by the adapter under a guard (the http
   * adapter), by the plugin as fetch would (a fetch that shows its redirects: not a browser's), or
   * stopped where neither can keep the token where it may go.
   */
  async function attempt(adapter: AxiosAdapter, config: InternalAxiosRequestConfig, route: Route, token: string) {
    if (attachment.remembered) {
      const state: RequestState = config.amplifyAuth ?? {};
      state.sent = token;
      config.amplifyAuth = state;
    }
    const attached = attachment.attach(config, route, token);
    const hop = attached instanceof Promise ? await attached : attached;
    const chain: Chain = { redirected: false, tokenOnLastHop: true };
    // Asked only on a redirect: the common answer needs no URL built a second time.
    const keeps = (url: string): boolean =>
      attachment.followsRedirects && sameOrigin(url, isAllowed.sentUrl(config)) && isAllowed.route(url) === route;
    const strip = (headers: Record<string, unknown>): void => attachment.strip(headers, token);
    const redirects = redirectMode(hop, redirectsNeedJudging(route), adapterKind(adapter, hop));
    const startedAt = Date.now();
    const first = await sendGuarded(adapter, hop, redirectGuard(chain, keeps, strip, hop.beforeRedirect), redirects);
    const url = redirects === 'follow' && isRedirect(first) ? isAllowed.sentUrl(hop) : undefined;
    if (url === undefined) return { outcome: hop === config ? first : asCallers(first, config), chain };
    const send = (next: InternalAxiosRequestConfig) => settle(adapter(next));
    const outcome = await followRedirects(hop, url, first, { send, chain, keeps, strip, startedAt });
    return { outcome: chain.redirected || hop !== config ? asCallers(outcome, config) : outcome, chain };
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
    if (state?.sent) attachment.strip(headers as unknown as Record<string, unknown>, state.sent);
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
    const token = await tokenFor(session, config, tokenKey);
    // Uninstalled while it waited: the request goes out as if the plugin had never been there.
    if (!isActive()) return adapter(config);
    if (!token) {
      skipped(config, 'signed-out');
      return adapter(config);
    }
    const first = await attempt(adapter, config, route, token);
    const rejected = responseOf(first.outcome);
    const rejection = attachment.judge(rejected, config);
    if (!rejection || !retries(config, first.chain)) {
      attachment.settle(rejected, config);
      return unwrap(first.outcome);
    }

    const { outcome } = first;
    // The same credential again: what was wrong was not it (a clock the attachment corrected).
    if (rejection === 'resend') return unwrap((await attempt(adapter, config, route, token)).outcome);
    const cause = 'error' in outcome ? outcome.error : new AxiosError('Token rejected', undefined, config, undefined, rejected);
    const renewed = await waitFor(() => coordinator.renew(session, 'unauthorized', token, refreshTimeoutMs), config).catch(
      (error: unknown) => {
        // Its session was left while the retry waited: the rejection of the first attempt is why.
        throw isAmplifyAuthError(error) && error.code === 'SESSION_CHANGED' ? asRequestError(sessionChanged(cause), config) : error;
      },
    );
    const next = renewed?.[tokenKey];
    // Nobody is signed in any more (the app signed out meanwhile): the rejection stands.
    if (!next || !isActive()) return unwrap(outcome);
    // A retry goes out only as the user whose token was rejected.
    if (renewed && otherUser(userOf(renewed), claims(token).sub)) throw asRequestError(sessionChanged(cause), config);
    return unwrap((await attempt(adapter, config, route, next)).outcome);
  }

  /**
   * Whether a rejected attempt is sent again: only when the hop that was rejected carried the
   * token, the body can be sent twice, and a redirect did not show that the server may have done
   * the work already (a POST answered 303, then a 401 for the GET that followed).
   */
  function retries(config: InternalAxiosRequestConfig, chain: Chain): boolean {
    if (!isActive() || !chain.tokenOnLastHop || !isReplayable(config.data)) return false;
    return !chain.redirected || safeMethods.test(config.method ?? 'get');
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
