// Base64, base64url and UTF-8 in plain JavaScript: the Hermes VM of the test stage has none of
// `atob`, `btoa`, `TextEncoder` or `TextDecoder`. The app makes and reads its tokens with these
// (never with the globals under test), and globals.ts builds a profile's globals from them.

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const valueOf: Record<string, number> = {};
for (let i = 0; i < alphabet.length; i++) valueOf[alphabet.charAt(i)] = i;

/** UTF-8 bytes of `text`; a lone surrogate becomes U+FFFD, as `TextEncoder` does. */
export function utf8Encode(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        code = 0xfffd;
      }
    }
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return bytes;
}

/**
 * The text of UTF-8 `bytes`, by the WHATWG decoder: each malformed sequence becomes U+FFFD, or
 * throws a TypeError when `fatal`.
 */
export function utf8Decode(bytes: ArrayLike<number>, fatal = false): string {
  let text = '';
  let needed = 0;
  let seen = 0;
  let code = 0;
  let lower = 0x80;
  let upper = 0xbf;
  const malformed = (): void => {
    if (fatal) throw new TypeError('The encoded data was not valid for encoding utf-8');
    text += '\ufffd';
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (needed === 0) {
      if (byte <= 0x7f) {
        text += String.fromCharCode(byte);
      } else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        code = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        code = byte & 0xf;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        code = byte & 0x7;
      } else {
        malformed();
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The sequence ends here; this byte starts afresh.
      needed = seen = code = 0;
      lower = 0x80;
      upper = 0xbf;
      malformed();
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    code = (code << 6) | (byte & 0x3f);
    if (++seen === needed) {
      text += String.fromCodePoint(code);
      needed = seen = code = 0;
    }
  }
  if (needed !== 0) malformed();
  return text;
}

/** Base64 of `bytes` (each 0–255); `url`: the base64url alphabet, without padding. */
export function base64Encode(bytes: ArrayLike<number>, url = false): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : -1;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : -1;
    out += alphabet.charAt(a >> 2);
    out += alphabet.charAt(((a & 3) << 4) | (b < 0 ? 0 : b >> 4));
    out += b < 0 ? '=' : alphabet.charAt(((b & 15) << 2) | (c < 0 ? 0 : c >> 6));
    out += c < 0 ? '=' : alphabet.charAt(c & 63);
  }
  return url ? out.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : out;
}

/**
 * The bytes of base64 `text` by the forgiving-base64 decode of the HTML standard (what `atob`
 * does: ASCII whitespace ignored, padding optional); `url`: the base64url alphabet. `undefined`
 * when `text` is not base64.
 */
export function base64Decode(text: string, url = false): number[] | undefined {
  let data = text.replace(/[\t\n\f\r ]/g, '');
  if (url) data = data.replace(/-/g, '+').replace(/_/g, '/');
  if (data.length % 4 === 0) data = data.replace(/={1,2}$/, '');
  if (data.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(data)) return undefined;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < data.length; i++) {
    buffer = ((buffer << 6) | valueOf[data.charAt(i)]!) & 0xffff; // the bits not yet out fit in 16
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

/** base64url of the UTF-8 of `text`: a JWT segment. */
export function base64UrlOfText(text: string): string {
  return base64Encode(utf8Encode(text), true);
}

/** The text of a base64url JWT segment, or `undefined` when it is not base64url. */
export function textOfBase64Url(segment: string): string | undefined {
  const bytes = base64Decode(segment, true);
  return bytes === undefined ? undefined : utf8Decode(bytes);
}
