import type { ApiRequest } from '../test/harness/protected-api.js';

// Terminal colours only when a person is watching.
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
export const dim = paint(2);
export const bold = paint(1);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);

/** The last characters of a token: enough to tell tokens apart on screen. */
export const suffix = (token: string | undefined) => (token ? `…${token.slice(-8)}` : '(none)');

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function step(number: number, title: string): void {
  say();
  say(bold(`${number}. ${title}`));
}

/** One line per request the API received: what a newcomer would see in the network tab. */
export function wire(request: ApiRequest): void {
  const status = request.status === 200 ? green(String(request.status)) : yellow(String(request.status));
  say(`   ${dim('→ API')}  GET ${request.path.padEnd(12)} token ${suffix(request.token)}  ${dim('←')} ${status}`);
}

/** A group of requests, summed up: `20 × 401, 20 × 200`. */
export function wireSummary(requests: ApiRequest[]): void {
  const byStatus = new Map<number, number>();
  for (const request of requests) byStatus.set(request.status, (byStatus.get(request.status) ?? 0) + 1);
  const parts = [...byStatus].map(([status, count]) => `${count} × ${status === 200 ? green('200') : yellow(String(status))}`);
  say(`   ${dim('→ API')}  ${requests.length} requests, answered ${parts.join(', ')}`);
}

export class DemoFailure extends Error {}

/** Stops the demo with a clear message when the library did not behave as the step says. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new DemoFailure(what);
  say(`   ${green('✓')} ${what}`);
}
