/**
 * The globals of React Native, for running the whole unit suite as one more environment
 * (`vitest.react-native.config.ts`): `window` is the global object itself, with no
 * `addEventListener`, no `localStorage` and no `document`; `navigator` has `product` but no
 * `locks`. The URL polyfill is taken as loaded (Node's `URL`), as every working RN app has it;
 * test/react-native.test.ts covers the app that forgot it.
 */
const define = (name: string, value: unknown): void => {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
};
define('window', globalThis);
define('navigator', { product: 'ReactNative' });
define('document', undefined);
define('localStorage', undefined);
define('addEventListener', undefined);
