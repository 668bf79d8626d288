import type { InternalAxiosRequestConfig } from 'axios';
import type { AllowCheck } from './allowlist.js';

type BeforeRedirect = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>;

// Each guard, with the caller's own hook that it wraps: a retried config is guarded once, not twice.
const guards = new WeakMap<BeforeRedirect, BeforeRedirect | undefined>();

function makeGuard(header: string, isAllowed: AllowCheck, callersHook: BeforeRedirect | undefined): BeforeRedirect {
  const name = header.toLowerCase();
  const guard: BeforeRedirect = (options, response, request) => {
    callersHook?.(options, response, request);
    if (typeof options.href === 'string' && isAllowed(options.href)) return;
    const headers: Record<string, unknown> = options.headers ?? {};
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name) Reflect.deleteProperty(headers, key);
  };
  guards.set(guard, callersHook);
  return guard;
}

/**
 * Keeps the token from following a redirect to a URL that may not have it. In Node, axios follows
 * redirects itself and drops only `Authorization` and `Cookie`, and only across origins: a custom
 * `header`, or a same-origin redirect out of an allowed path, would carry the token along.
 * (Browsers follow redirects out of reach of JavaScript; they drop `Authorization` across origins.)
 * Returns the guard to put on requests that have no hook of their own.
 */
export function createRedirectGuard(header: string, isAllowed: AllowCheck) {
  const shared = makeGuard(header, isAllowed, undefined);
  return (config: InternalAxiosRequestConfig): void => {
    const current = config.beforeRedirect;
    if (current === undefined) config.beforeRedirect = shared;
    else if (!guards.has(current)) config.beforeRedirect = makeGuard(header, isAllowed, current);
  };
}
