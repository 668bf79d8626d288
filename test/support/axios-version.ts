import axios from 'axios';

const [major = 0, minor = 0] = axios.VERSION.split('.').map(Number);

/** `transitional.legacyInterceptorReqResOrdering` exists from axios 1.19 (older ones refuse it as unknown). */
export const hasOrderingOption = major > 1 || (major === 1 && minor >= 19);

const g = globalThis as { Deno?: unknown; Bun?: unknown };
/**
 * Node's fetch is undici, whose reasons for refusing a redirect the plugin repeats word for word;
 * Deno's and Bun's fetch word them their own way (the error is the same `ERR_NETWORK`).
 */
export const fetchIsUndici = g.Deno === undefined && g.Bun === undefined;

/** Bun's fetch follows more than the standard's 20 redirects and Locations with user info; the plugin keeps to the standard. */
export const fetchIsStandard = g.Bun === undefined;
