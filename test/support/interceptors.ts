import type { AxiosInstance } from 'axios';

/** axios's interceptor managers have `forEach` (skipping ejected ones), missing from their types. */
type Iterable = { forEach(visit: (handler: unknown) => void): void };

/** How many interceptors an instance has, request and response together. */
export function interceptorCount(api: AxiosInstance): number {
  let count = 0;
  (api.interceptors.request as unknown as Iterable).forEach(() => count++);
  (api.interceptors.response as unknown as Iterable).forEach(() => count++);
  return count;
}
