import { CanceledError, type InternalAxiosRequestConfig, isCancel } from 'axios';

/**
 * `promise`, or axios's `CanceledError` as soon as the request's `signal` aborts or its
 * `cancelToken` is cancelled: a request must not wait for a refresh that it no longer needs.
 */
export function unlessCanceled<T>(promise: Promise<T>, config: InternalAxiosRequestConfig): Promise<T> {
  const { signal, cancelToken } = config;
  if (!signal && !cancelToken) return promise;
  return new Promise<T>((resolve, reject) => {
    const onCancel = (reason?: unknown): void => {
      cleanup();
      reject(isCancel(reason) ? reason : new CanceledError(undefined, config));
    };
    const onAbort = (): void => onCancel();
    const cleanup = (): void => {
      signal?.removeEventListener?.('abort', onAbort);
      cancelToken?.unsubscribe(onCancel);
    };
    // Observed in every case: a shared refresh that fails after its only waiter left must not
    // become an unhandled rejection (its failure reaches the app as `refreshError`).
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
    if (signal?.aborted) return onCancel();
    if (cancelToken?.reason) return onCancel(cancelToken.reason);
    signal?.addEventListener?.('abort', onAbort);
    cancelToken?.subscribe(onCancel);
  });
}
