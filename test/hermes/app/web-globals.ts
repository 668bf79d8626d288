// What a React Native version's Hermes (or React Native itself) has and the Hermes 0.12 VM of the
// test stage lacks, written to the web's contracts: `atob`, `btoa`, `TextEncoder`, `TextDecoder`, an
// AbortController whose signal has `reason`, and React Native's own URL (which cannot parse).
// globals.ts installs, per profile, exactly the ones that React Native version has.
import { base64Decode, base64Encode, utf8Decode, utf8Encode } from './encoding';

/** An error shaped like the `DOMException` a browser throws (Hermes has no `DOMException`). */
function domError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export function atob(data: unknown): string {
  const bytes = base64Decode(String(data));
  if (bytes === undefined) throw domError('InvalidCharacterError', 'The string to be decoded is not correctly encoded.');
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return binary;
}

export function btoa(data: unknown): string {
  const text = String(data);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw domError('InvalidCharacterError', 'The string to be encoded contains characters outside of the Latin1 range.');
    bytes.push(code);
  }
  return base64Encode(bytes);
}

export class TextEncoder {
  get encoding(): string {
    return 'utf-8';
  }

  encode(input: unknown = ''): Uint8Array {
    return new Uint8Array(utf8Encode(String(input)));
  }

  encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
    const text = String(source);
    let read = 0;
    let written = 0;
    for (const char of text) {
      const bytes = utf8Encode(char);
      if (written + bytes.length > destination.length) break;
      destination.set(bytes, written);
      written += bytes.length;
      read += char.length;
    }
    return { read, written };
  }
}

export class TextDecoder {
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;

  constructor(label: unknown = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const name = String(label).trim().toLowerCase();
    if (name !== 'utf-8' && name !== 'utf8' && name !== 'unicode-1-1-utf-8') {
      throw new RangeError(`The encoding label provided ('${String(label)}') is not supported by this TextDecoder`);
    }
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }

  get encoding(): string {
    return 'utf-8';
  }

  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string {
    if (options?.stream) throw new TypeError('TextDecoder: streaming is not supported here');
    let bytes: Uint8Array;
    if (input === undefined) bytes = new Uint8Array(0);
    else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
    else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    else throw new TypeError('TextDecoder.decode: the input is not an ArrayBuffer or an ArrayBufferView');
    const bom = !this.ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return utf8Decode(bom ? bytes.subarray(3) : bytes, this.fatal);
  }
}

type AbortListener = ((event: { type: 'abort'; target: AbortSignalWithReason }) => void) | { handleEvent(event: unknown): void };

/** An `AbortSignal` as the web (and a native implementation) has it: `aborted` and `reason`. */
export class AbortSignalWithReason {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: { type: 'abort'; target: AbortSignalWithReason }) => void) | null = null;
  private readonly listeners: Array<{ listener: AbortListener; once: boolean }> = [];

  static abort(reason?: unknown): AbortSignalWithReason {
    const controller = new AbortControllerWithReason();
    controller.abort(reason);
    return controller.signal;
  }

  static timeout(ms: number): AbortSignalWithReason {
    const controller = new AbortControllerWithReason();
    setTimeout(() => controller.abort(domError('TimeoutError', 'The operation timed out.')), ms);
    return controller.signal;
  }

  addEventListener(type: string, listener: AbortListener | null, options?: boolean | { once?: boolean }): void {
    if (type !== 'abort' || !listener || this.listeners.some((entry) => entry.listener === listener)) return;
    this.listeners.push({ listener, once: typeof options === 'object' && options !== null && options.once === true });
  }

  removeEventListener(type: string, listener: AbortListener | null): void {
    if (type !== 'abort') return;
    const index = this.listeners.findIndex((entry) => entry.listener === listener);
    if (index >= 0) this.listeners.splice(index, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Fires `abort`: `onabort`, then each listener in order; a listener that throws is reported, as an event dispatch does. */
  fire(): void {
    const event = { type: 'abort' as const, target: this };
    const call = (listener: AbortListener): void => {
      try {
        if (typeof listener === 'function') listener.call(this, event);
        else listener.handleEvent(event);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    };
    if (this.onabort) call(this.onabort);
    for (const entry of [...this.listeners]) {
      if (entry.once) this.removeEventListener('abort', entry.listener);
      call(entry.listener);
    }
  }
}

export class AbortControllerWithReason {
  readonly signal = new AbortSignalWithReason();

  abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    this.signal.aborted = true;
    this.signal.reason = reason === undefined ? domError('AbortError', 'This operation was aborted') : reason;
    this.signal.fire();
  }
}

/**
 * React Native's own `URL` (Libraries/Blob/URL.js): it keeps the string, and its accessors throw
 * "not implemented". `react-native-url-polyfill/auto` replaces it.
 */
export class ReactNativeUrl {
  private readonly url: string;

  constructor(url: unknown, base?: unknown) {
    const text = String(url);
    this.url =
      base === undefined || /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `${String(base).replace(/\/$/, '')}/${text.replace(/^\//, '')}`;
  }

  get href(): string {
    return this.toString();
  }

  toString(): string {
    return this.url;
  }

  get origin(): string {
    throw new Error('URL.origin is not implemented');
  }

  get pathname(): string {
    throw new Error('URL.pathname is not implemented');
  }

  get protocol(): string {
    throw new Error('URL.protocol is not implemented');
  }

  get host(): string {
    throw new Error('URL.host is not implemented');
  }

  get hostname(): string {
    throw new Error('URL.hostname is not implemented');
  }

  get search(): string {
    throw new Error('URL.search is not implemented');
  }
}
