import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
/** Whether the token may go on to a redirect's next hop. */
type AllowCheck = (fullPath: string) => boolean;

type BeforeRedirect = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>;

// Each guard, with the caller's own hook that it wraps: a config re-sent through another install
// is guarded by that install alone, and guards never nest.
const callersHooks = new WeakMap<BeforeRedirect, BeforeRedirect | undefined>();

/** Removes every header that carries `token` (whatever its name) from a header bag. */
export function stripToken(headers: Record<string, unknown>, token: string): void {
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (typeof value === 'string' && value.endsWith(token)) Reflect.deleteProperty(headers, key);
  }
}

/**
 * The http adapter's `beforeRedirect` for one attempt: axios follows redirects itself in Node and
 * drops only `Authorization` and `Cookie`, and only across origins, so a custom `header`, or a
 * same-origin redirect out of an allowed path, would carry the token along. The token stays only
 * on hops to URLs that `allow` allows.
 */
export function redirectGuard(token: string, isAllowed: AllowCheck, hook: BeforeRedirect | undefined): BeforeRedirect {
  const callersHook = hook && callersHooks.has(hook) ? callersHooks.get(hook) : hook;
  const guard: BeforeRedirect = (options, response, request) => {
    callersHook?.(options, response, request);
    if (typeof options.href === 'string' && isAllowed(options.href)) return;
    stripToken(options.headers ?? {}, token);
  };
  callersHooks.set(guard, callersHook);
  return guard;
}

const followed = new Set([301, 302, 303, 307, 308]);

/**
 * Where a `fetch` that was told not to follow redirects (`redirect: 'manual'`) was sent next, or
 * `undefined`. In Node the 3xx answer is visible; in a browser it is an opaque response (status 0)
 * that cannot be followed, and reaches the app as axios's error for it.
 */
export function redirectTarget(response: AxiosResponse | undefined, from: string): URL | undefined {
  if (!response || !followed.has(response.status)) return undefined;
  const headers = response.headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  const location: unknown = typeof headers.get === 'function' ? headers.get('location') : headers['location'];
  if (typeof location !== 'string') return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}
