import type { AxiosResponse, AxiosResponseHeaders, InternalAxiosRequestConfig } from 'axios';
import type { ResolvedOptions } from './options.js';
import { putBack } from './redirects.js';

type TransformResponse = InternalAxiosRequestConfig['transformResponse'];

/**
 * Whether `response` says the token was rejected: the status in `statusCodes`, or the app's
 * `isRejected`, which sees `data` as the app's `transformResponse` makes it.
 *
 * That transform then must not run again when the response goes back to axios (it may not be
 * idempotent, and runs once without the plugin): {@link handBack} gives axios the result. A
 * transform that throws leaves the app's rule the raw body, and throws again, once, where axios runs it.
 */
export function isRejected(options: ResolvedOptions, response: AxiosResponse | undefined, config: InternalAxiosRequestConfig): boolean {
  if (!response) return false;
  if (!options.judgesData) return options.isRejected(response);
  let transformed: { data: unknown } | { error: unknown };
  try {
    transformed = { data: transform(config.transformResponse, config, response) };
  } catch (error) {
    transformed = { error };
  }
  pending.set(response, transformed);
  try {
    return options.isRejected('data' in transformed ? { ...response, data: transformed.data } : response) === true;
  } catch {
    // The app's rule failing on an unexpected body is no verdict of rejection.
    return false;
  }
}

// A judged response's transformed data, until it is handed back to axios.
const pending = new WeakMap<AxiosResponse, { data: unknown } | { error: unknown }>();

function transform(transforms: TransformResponse, config: InternalAxiosRequestConfig, response: AxiosResponse): unknown {
  let data: unknown = response.data;
  for (const fn of Array.isArray(transforms) ? transforms : transforms ? [transforms] : []) {
    data = fn.call(config, data, response.headers as AxiosResponseHeaders, response.status);
  }
  return data;
}

/**
 * Gives axios the data already transformed for judging `response`: axios's own transform step
 * (in `dispatchRequest`, on this very config) then hands it on instead of running the app's
 * transforms a second time, and puts the app's `transformResponse` back.
 */
export function handBack(response: AxiosResponse | undefined, config: InternalAxiosRequestConfig): void {
  const transformed = response && pending.get(response);
  if (!transformed) return;
  pending.delete(response);
  const own = Object.prototype.hasOwnProperty.call(config, 'transformResponse');
  const transforms = config.transformResponse;
  const restore = (): void => putBack(config, 'transformResponse', own, transforms);
  config.transformResponse = [
    function transformedAlready() {
      restore();
      if ('error' in transformed) throw transformed.error;
      return transformed.data;
    },
  ];
}
