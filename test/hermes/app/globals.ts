// The first module of the bundle: what React Native's InitializeCore sets up on the global object,
// and nothing more, plus what the Hermes of the React Native version of the profile has. The
// profile's name is the one line the stage puts before the bundle:
//   var __AAA_HERMES_PROFILE__ = 'rn-0.74-0.82';
// React Native's `InitializeCore` (setUpGlobals, setUpNavigator, setUpTimers, setUpXHR):
// `window` and `self` are the global object, with no `addEventListener` and no `localStorage`;
// `navigator` is `{ product: 'ReactNative' }` (no `locks`); there is no `document`;
// `process.env.NODE_ENV`; timers; React Native's own `URL` (which cannot parse until
// `react-native-url-polyfill/auto` replaces it) and `AbortController`. Nothing network-bound
// (`fetch`, `XMLHttpRequest`, `WebSocket`) is set up: the app's requests go to an in-memory adapter.
import { installTimers } from './timers';
import { AbortControllerWithReason, AbortSignalWithReason, atob, btoa, ReactNativeUrl, TextDecoder, TextEncoder } from './web-globals';

export interface Profile {
  name: string;
  /** What the profile stands for. */
  about: string;
  /** `atob` and `btoa` (Hermes of React Native 0.74 and later). */
  base64: boolean;
  textEncoder: boolean;
  textDecoder: boolean;
  /** Where `AbortController` comes from: the `abort-controller` package (signals without `reason`), or one with `reason`. */
  abort: 'abort-controller' | 'with-reason';
}

export const profiles: Record<string, Profile> = {
  'rn-0.73': {
    name: 'rn-0.73',
    about: 'React Native 0.73 and earlier: no atob, btoa, TextEncoder, TextDecoder; AbortController from abort-controller',
    base64: false,
    textEncoder: false,
    textDecoder: false,
    abort: 'abort-controller',
  },
  'rn-0.74-0.82': {
    name: 'rn-0.74-0.82',
    about: 'React Native 0.74 – 0.82: atob, btoa, TextEncoder, no TextDecoder; AbortController from abort-controller',
    base64: true,
    textEncoder: true,
    textDecoder: false,
    abort: 'abort-controller',
  },
  'rn-0.83-0.87': {
    name: 'rn-0.83-0.87',
    about: 'React Native 0.83 – 0.87: atob, btoa, TextEncoder, no TextDecoder; an AbortController whose signal has `reason`',
    base64: true,
    textEncoder: true,
    textDecoder: false,
    abort: 'with-reason',
  },
  'rn-0.88': {
    name: 'rn-0.88',
    about: 'React Native 0.88: atob, btoa, TextEncoder, TextDecoder; an AbortController whose signal has `reason`',
    base64: true,
    textEncoder: true,
    textDecoder: true,
    abort: 'with-reason',
  },
};

type Global = Record<string, unknown>;
const g = globalThis as unknown as Global;

/** Hermes CLI prints with `print`; React Native's console polyfill (in the bundle's prelude) falls back to it. */
export function out(line: string): void {
  const print = g['print'];
  if (typeof print === 'function') (print as (text: string) => void)(line);
  else (g['console'] as { log(text: string): void }).log(line);
}

/** Exceptions of timers and microtasks that nothing caught, and promise rejections nobody handled. */
export const uncaught: string[] = [];
const describeUncaught = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `a non-Error value: ${String(error)}`;

const name = typeof g['__AAA_HERMES_PROFILE__'] === 'string' ? (g['__AAA_HERMES_PROFILE__'] as string) : '';
const chosen = profiles[name];
if (!chosen) throw new Error(`globals: unknown profile '${name}' (expected one of ${Object.keys(profiles).join(', ')})`);
export const profile: Profile = chosen;

// The VM must not already have what a profile adds or leaves out: otherwise the profile would not be what it says.
const missing = [
  'atob',
  'btoa',
  'TextEncoder',
  'TextDecoder',
  'AbortController',
  'URL',
  'document',
  'window',
  'navigator',
  'queueMicrotask',
];
const present = missing.filter((key) => g[key] !== undefined);
if (present.length > 0) throw new Error(`globals: this VM already has ${present.join(', ')}: it is not the Hermes 0.12 CLI`);

const define = (key: string, value: unknown): void => {
  Object.defineProperty(g, key, { value, writable: true, configurable: true, enumerable: false });
};

// setUpGlobals
define('window', globalThis);
define('self', globalThis);
// Metro's prelude declares `process` (a `var`, so not redefinable) with `env.NODE_ENV`; React Native's own setup does the same.
g['process'] ??= {};
const processLike = g['process'] as { env?: Record<string, string> };
processLike.env = { ...processLike.env, NODE_ENV: processLike.env?.['NODE_ENV'] ?? 'production' };
// setUpNavigator
define('navigator', { product: 'ReactNative' });
// setUpTimers
installTimers((error) => uncaught.push(`exception in a timer or microtask: ${describeUncaught(error)}`));
// React Native tracks promise rejections on Hermes (LogBox in development); here every one nobody handled is reported.
const hermes = g['HermesInternal'] as { enablePromiseRejectionTracker?: (options: object) => void } | undefined;
hermes?.enablePromiseRejectionTracker?.({
  allRejections: true,
  onUnhandled: (_id: number, error: unknown) => uncaught.push(`unhandled promise rejection: ${describeUncaught(error)}`),
});
// setUpXHR: React Native's own URL, and AbortController.
define('URL', ReactNativeUrl);
if (profile.abort === 'abort-controller') {
  // As React Native 0.74 – 0.82 do: polyfillGlobal('AbortController', () => require('abort-controller/dist/abort-controller').AbortController).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the polyfill React Native loads, resolved by Metro in the test app
  const polyfill = require('abort-controller/dist/abort-controller') as { AbortController: unknown; AbortSignal: unknown };
  define('AbortController', polyfill.AbortController);
  define('AbortSignal', polyfill.AbortSignal);
} else {
  define('AbortController', AbortControllerWithReason);
  define('AbortSignal', AbortSignalWithReason);
}
// What this React Native version's Hermes has.
if (profile.base64) {
  define('atob', atob);
  define('btoa', btoa);
}
if (profile.textEncoder) define('TextEncoder', TextEncoder);
if (profile.textDecoder) define('TextDecoder', TextDecoder);
