import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { assertUrlParser } from './environment.js';
import type { AmplifyAuthOptions } from './types.js';

type Rule = (url: URL | undefined, fullPath: string) => boolean;

// axios's own test for an absolute URL (helpers/isAbsoluteURL): a scheme, or protocol-relative `//`.
const absoluteUrl = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The URL axios will send, as axios's `buildFullPath` and `combineURLs` build it (without
 * `params`, which cannot move it to another origin or path). `undefined` for what cannot be
 * judged exactly: a `url` or `baseURL` that is not a primitive string (axios versions disagree on
 * whether a `String` object is absolute).
 */
function resolveFullPath(config: InternalAxiosRequestConfig): string | undefined {
  const { url = '', baseURL } = config;
  if (typeof url !== 'string' || (baseURL !== undefined && typeof baseURL !== 'string')) return undefined;
  if (baseURL && (config.allowAbsoluteUrls === false || !absoluteUrl.test(url))) {
    return url ? `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : baseURL;
  }
  return url;
}

const sentinel = 'https://relative.invalid';

/**
 * True for a reference that stays on whatever origin it is resolved against. Decided by the URL
 * parser, not by a regex: ` //evil.com` (leading space) looks relative but a browser sends it to
 * evil.com.
 */
function isRelativeReference(fullPath: string): boolean {
  return parse(fullPath, sentinel)?.origin === sentinel;
}

/** Where a relative URL goes: the document's base in a browser; nowhere known in Node. */
function documentBase(): string | undefined {
  const g = globalThis as { document?: { baseURI?: unknown }; location?: { href?: unknown } };
  const base = g.document?.baseURI ?? g.location?.href;
  return typeof base === 'string' ? base : undefined;
}

function parse(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

function pathMatches(path: string, prefix: string): boolean {
  return prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix || path.startsWith(`${prefix}/`);
}

/** Parses an `allow` string; a TypeError for anything but an origin with an optional path prefix. */
function originRule(entry: string, index: number): Rule {
  const parsed = parse(entry);
  const where = `installAmplifyAuth: \`allow[${index}]\` (${JSON.stringify(entry)})`;
  if (!parsed || parsed.origin === 'null' || !absoluteUrl.test(entry)) {
    throw new TypeError(`${where} must be an absolute URL such as "https://api.example.com" or "https://api.example.com/v1/"`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash || entry.includes('?') || entry.includes('#')) {
    throw new TypeError(`${where} must be an origin with an optional path: no user info, query or fragment`);
  }
  const { origin, pathname } = parsed;
  return (url) => url !== undefined && url.origin === origin && pathMatches(url.pathname, pathname);
}

function regExpRule(pattern: RegExp): Rule {
  // Without `g` and `y`, `test` keeps no state between requests.
  const stateless = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (url) => {
    // A URL that cannot be parsed is never tested as raw text: a runtime may still send it.
    if (!url) return false;
    // User info would let `https://api.example.com@evil.com/` pass a careless pattern.
    const bare = new URL(url.href);
    bare.username = '';
    bare.password = '';
    return stateless.test(bare.href);
  };
}

function pageOrigin(): string | undefined {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : undefined;
}

/**
 * The default: relative URLs, the origin of the instance's `baseURL`, and the page's origin. In a
 * browser a relative URL is judged where it resolves to (a `<base href>` can point elsewhere).
 */
function defaultRule(instance: AxiosInstance): Rule {
  return (url, fullPath) => {
    if (!url) return isRelativeReference(fullPath);
    if (url.origin === 'null') return false;
    const base = instance.defaults.baseURL;
    return url.origin === (base ? parse(base)?.origin : undefined) || url.origin === pageOrigin();
  };
}

/** How a request that an entry allows carries the token: the install's settings, or an entry's own. */
export interface Route {
  header: string;
  scheme: string;
  tokenType: 'id' | 'access';
}

interface CompiledRule {
  /** The route of the first entry that allows the URL, or `undefined`. */
  rule: (url: URL | undefined, fullPath: string) => Route | undefined;
  /** Its decisions depend on the URL alone, so they may be memoized. */
  pure: boolean;
  /** Every same-origin hop of an allowed URL is allowed too, with the same route. */
  originWide: boolean;
}

function compileRule(allow: AmplifyAuthOptions['allow'], instance: AxiosInstance, route: Route): CompiledRule {
  if (allow === undefined) {
    const rule = defaultRule(instance);
    return { rule: (url, fullPath) => (rule(url, fullPath) ? route : undefined), pure: true, originWide: true };
  }
  if (typeof allow === 'function') {
    return { rule: (url) => (url !== undefined && allow(new URL(url.href)) === true ? route : undefined), pure: false, originWide: false };
  }
  const entries = allow.map((entry, index) => {
    const own = typeof entry === 'object' && !(entry instanceof RegExp) ? entry : undefined;
    const pattern = own ? own.url : (entry as string | RegExp);
    const matches = typeof pattern === 'string' ? originRule(pattern, index) : regExpRule(pattern);
    const entryRoute: Route = own
      ? { header: own.header ?? route.header, scheme: own.scheme ?? route.scheme, tokenType: own.tokenType ?? route.tokenType }
      : route;
    return { matches, route: entryRoute, wholeOrigin: typeof pattern === 'string' && parse(pattern)?.pathname === '/' };
  });
  const originWide = entries.every((entry) => entry.wholeOrigin && entry.route === route);
  return {
    rule: (url, fullPath) => entries.find((entry) => entry.matches(url, fullPath))?.route,
    pure: true,
    originWide,
  };
}

const memoLimit = 256;

/** The checks an install needs: of a request (memoized), and of a URL a redirect goes to. */
export interface AllowChecks {
  /** The route of a request's final URL, or `undefined` when it may not have the token. */
  request: (config: InternalAxiosRequestConfig) => Route | undefined;
  /** The route of a URL (a redirect's next hop). */
  route: (fullPath: string) => Route | undefined;
  /** The URL a request goes to, without `params`, or `undefined` when it cannot be judged. */
  fullPath: (config: InternalAxiosRequestConfig) => string | undefined;
  /** The URL a request goes to, `params` included, or `undefined` when it cannot be built. */
  sentUrl: (config: InternalAxiosRequestConfig) => string | undefined;
  /** `allow` names whole origins only (the default does). */
  originWide: boolean;
}

/**
 * Compiles `allow` into checks of fully resolved URLs. Strings are parsed once here, so a
 * malformed entry is a TypeError at install time. The built-in rules' decisions are memoized by
 * `baseURL` and `url`, because parsing a URL is a noticeable part of a request's cost; a user's
 * function is asked every time.
 */
export function compileAllow(allow: AmplifyAuthOptions['allow'], instance: AxiosInstance, defaults: Route): AllowChecks {
  assertUrlParser();
  const { rule, pure, originWide } = compileRule(allow, instance, defaults);
  const route = (fullPath: string): Route | undefined => {
    const url = parse(fullPath, documentBase());
    // A fragment is never sent: `https://evil.com/#https://api.example.com/` must not pass a RegExp.
    if (url) url.hash = '';
    return rule(url, fullPath);
  };
  /**
   * What axios sends, `params` included: a RegExp or a function may read the query, and a URL with
   * whitespace before the query parses to another path than without it. `undefined` where axios
   * could not build it either (`params: { d: new Date(NaN) }`): the adapter reports that as its own error.
   */
  const sentUrl = (config: InternalAxiosRequestConfig): string | undefined => {
    const fullPath = resolveFullPath(config);
    if (fullPath === undefined || !config.params) return fullPath;
    const { params, paramsSerializer } = config;
    try {
      return axios.getUri(paramsSerializer ? { url: fullPath, params, paramsSerializer } : { url: fullPath, params });
    } catch {
      return undefined;
    }
  };
  // `null`: judged, and not allowed (the memo's `undefined` means "not judged yet").
  const judge = (config: InternalAxiosRequestConfig): Route | null => {
    const url = sentUrl(config);
    return (url !== undefined && route(url)) || null;
  };
  const memo = new Map<string | undefined, Map<string, Route | null>>();
  let entries = 0;
  let defaultsBase: unknown;
  let pageBase: unknown;
  const request = (config: InternalAxiosRequestConfig): Route | undefined => {
    const key = config.url ?? '';
    if (!pure || config.allowAbsoluteUrls === false || typeof key !== 'string' || config.params) return judge(config) ?? undefined;
    // The default rule depends on the instance's baseURL and the page: a change of either resets.
    const page = documentBase();
    if (instance.defaults.baseURL !== defaultsBase || page !== pageBase || entries >= memoLimit) {
      memo.clear();
      entries = 0;
      defaultsBase = instance.defaults.baseURL;
      pageBase = page;
    }
    let byUrl = memo.get(config.baseURL);
    if (!byUrl) memo.set(config.baseURL, (byUrl = new Map()));
    let allowed = byUrl.get(key);
    if (allowed === undefined) {
      allowed = judge(config);
      byUrl.set(key, allowed);
      entries += 1;
    }
    return allowed ?? undefined;
  };
  return { request, route, fullPath: resolveFullPath, sentUrl, originWide };
}
