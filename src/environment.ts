/**
 * Every global this plugin touches, probed before use: React Native sets `window` to the global
 * object without `addEventListener` or `localStorage`, Node ≥ 24.5 and Deno have
 * `navigator.locks` without being a browser, and a storage may throw on access (privacy modes).
 */

/** The part of `window` that tab coordination needs, or `undefined` where there is none. */
export interface BrowserWindow {
  addEventListener(type: 'storage', listener: (event: StorageEvent) => void): void;
  removeEventListener(type: 'storage', listener: (event: StorageEvent) => void): void;
  localStorage: Pick<Storage, 'getItem' | 'setItem' | 'length' | 'key'>;
}

/** The Web Locks API, as browsers (and Node ≥ 24.5, Deno) have it. */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal; ifAvailable?: boolean }, task: (lock: unknown) => Promise<T>): Promise<T>;
}

type Globals = {
  window?: { addEventListener?: unknown; removeEventListener?: unknown; localStorage?: unknown };
  document?: unknown;
  navigator?: { locks?: { request?: unknown } };
};

/**
 * `window` when this is a browser document with a working `localStorage` and `storage` events;
 * `undefined` in Node, Deno, Bun, workers and React Native.
 */
export function browserWindow(): BrowserWindow | undefined {
  const g = globalThis as Globals;
  const win = g.window;
  if (typeof g.document !== 'object' || typeof win !== 'object' || win === null) return undefined;
  if (typeof win.addEventListener !== 'function' || typeof win.removeEventListener !== 'function') return undefined;
  try {
    const storage = win.localStorage as Partial<Storage> | undefined;
    return typeof storage?.getItem === 'function' && typeof storage.setItem === 'function' ? (win as unknown as BrowserWindow) : undefined;
  } catch {
    // Reading `localStorage` throws where the page may not use it (sandboxed frames, blocked cookies).
    return undefined;
  }
}

/** `navigator.locks` where it exists and looks like the Web Locks API. */
export function lockManager(): LockManagerLike | undefined {
  const locks = (globalThis as Globals).navigator?.locks;
  return typeof locks?.request === 'function' ? (locks as LockManagerLike) : undefined;
}

/**
 * Throws the TypeError that names the polyfill when `URL` cannot parse: React Native's own `URL`
 * throws "not implemented" for `origin` and `pathname`. No token goes to a URL that was not checked.
 */
export function assertUrlParser(): void {
  let works = false;
  try {
    const url = new URL('/b?c', 'https://a.example:8443/');
    works = url.origin === 'https://a.example:8443' && url.pathname === '/b' && url.href === 'https://a.example:8443/b?c';
  } catch {
    // React Native's own URL: "not implemented".
  }
  if (!works) {
    throw new TypeError(
      "installAmplifyAuth: this runtime's URL cannot parse URLs (React Native without a polyfill): " +
        'load the polyfill first: react-native-url-polyfill/auto (or loadUrlPolyfill() of @aws-amplify/react-native)',
    );
  }
}

/**
 * The server framework this code runs in, where one process serves many users: Next.js sets
 * `NEXT_RUNTIME` in its server runtimes (`nodejs`, `edge`), never in the browser bundle.
 */
export function multiUserServer(): string | undefined {
  if (typeof (globalThis as Globals).document === 'object') return undefined;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['NEXT_RUNTIME'] ? `Next.js (${env['NEXT_RUNTIME']} runtime)` : undefined;
}
