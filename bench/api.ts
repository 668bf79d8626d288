import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { AxiosError, AxiosHeaders } from 'axios';

/**
 * An in-process API (an axios adapter, so that no network hides the plugin's cost): 200 for a
 * token it accepts, 401 for one it was told to reject, after 0–`jitterMs` ms (as a real API's
 * answers spread out). Counts attempts per request id.
 */
export function createBenchApi({ jitterMs = 0 } = {}) {
  // A fixed-seed generator, so that every implementation meets the same answer times.
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const rejected = new Set<string>();
  const attempts = new Map<string, number>();
  let unauthorized = 0;
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const authorization = String(AxiosHeaders.from(config.headers).get('Authorization') ?? '');
    const id = config.url ?? '';
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    if (jitterMs > 0) await new Promise((resolve) => setTimeout(resolve, random() * jitterMs));
    const status = rejected.has(authorization.slice(7)) ? 401 : 200;
    const response: AxiosResponse = { data: {}, status, statusText: '', headers: {}, config };
    if (status === 401) {
      unauthorized += 1;
      throw new AxiosError('Unauthorized', AxiosError.ERR_BAD_REQUEST, config, {}, response);
    }
    return response;
  };
  return {
    adapter,
    attempts,
    get unauthorized() {
      return unauthorized;
    },
    reject(token: string) {
      rejected.add(token);
    },
    reset() {
      seed = 42;
      attempts.clear();
      unauthorized = 0;
    },
  };
}
