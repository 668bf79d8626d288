import type { AxiosInstance } from 'axios';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** µs per request, for `count` requests sent one after another, or `width` at a time. */
export async function microsPerRequest(api: AxiosInstance, count: number, width: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < count; sent += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - sent) }, () => api.get('/items')));
  }
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

/** `lo–hi` of `values` (one figure when they agree): what varies from run to run is shown as a range. */
export function range(values: number[], digits = 0): string {
  const [lo, hi] = [Math.min(...values), Math.max(...values)].map((value) => value.toFixed(digits));
  return lo === hi ? lo! : `${lo}–${hi}`;
}
