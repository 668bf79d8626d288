// A cookie jar per user over plain HTTP, holding Amplify's token cookies as the browser would.
import type { Tokens } from './cognito.js';

/** A cookie name as js-cookie (Amplify's CookieStorage) writes it. */
export function jsCookieName(name: string): string {
  return encodeURIComponent(name)
    .replace(/%(2[346B]|5E|60|7C)/g, decodeURIComponent)
    .replace(/[()]/g, escape);
}

export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Amplify's keys after a sign-in of `username` (what `signIn` with cookie storage leaves). */
  static signedIn(clientId: string, username: string, tokens: Tokens): CookieJar {
    const jar = new CookieJar();
    const prefix = `CognitoIdentityServiceProvider.${clientId}`;
    jar.set(`${prefix}.LastAuthUser`, username);
    jar.set(`${prefix}.${username}.idToken`, tokens.idToken);
    jar.set(`${prefix}.${username}.accessToken`, tokens.accessToken);
    jar.set(`${prefix}.${username}.refreshToken`, tokens.refreshToken);
    jar.set(`${prefix}.${username}.clockDrift`, '0');
    return jar;
  }

  set(name: string, value: string): void {
    this.cookies.set(jsCookieName(name), encodeURIComponent(value));
  }

  get(name: string): string | undefined {
    const value = this.cookies.get(jsCookieName(name));
    return value === undefined ? undefined : decodeURIComponent(value);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Applies a response's Set-Cookie headers (an expired or empty cookie is removed). */
  take(response: Response): string[] {
    const names: string[] = [];
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expires = attributes.map((part) => part.trim()).find((part) => /^expires=/i.test(part));
      const maxAge = attributes.map((part) => part.trim()).find((part) => /^max-age=/i.test(part));
      const expired = (expires && Date.parse(expires.slice(8)) <= Date.now()) || (maxAge && Number(maxAge.slice(8)) <= 0) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
      names.push(name);
    }
    return names;
  }
}
