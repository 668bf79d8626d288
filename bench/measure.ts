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
