import { browserWindow } from '../environment.js';
import { readClaims } from '../jwt.js';
import { storagePrefix } from './hub.js';

/**
 * Amplify's session as it sits in `localStorage`, read directly: what a plain read of the session
 * (`fetchAuthSession()`, v5's `Auth.currentSession()`) would find there, and whether that read would
 * refresh the tokens inside Amplify — outside any lock of the plugin, unless the plugin takes it first.
 */
export interface StoredSession {
  accessToken: string;
  /** A plain read of the session refreshes these tokens (Amplify takes them for expired). */
  refreshesOnRead: boolean;
  /** When these tokens were issued, by this device's clock (ms). */
  issuedAt: number;
}

/**
 * How one Amplify version stores its clock drift and takes a stored token for expired: `scale` turns
 * the stored drift into Cognito's clock minus this device's, in ms; a token is expired from
 * `tolerance` ms before its `exp` (by Cognito's clock).
 */
export interface ExpiryRule {
  scale: number;
  tolerance: number;
}

/**
 * Amplify v6: drift in ms, `iat * 1000 − now` at the refresh; a token is expired 5 s before `exp`
 * (core `utils/isTokenExpired.ts`: `now + drift + 5000 > exp * 1000`).
 */
export const amplifyV6Expiry: ExpiryRule = { scale: 1, tolerance: 5000 };

/**
 * Amplify v5 (amazon-cognito-identity-js `CognitoUserSession`): drift in seconds, `now − iat`; a
 * session is valid while `now − drift < exp` for both tokens.
 */
export const amplifyV5Expiry: ExpiryRule = { scale: -1000, tolerance: 0 };

/**
 * The session stored for `client` (the user-pool app client; when unknown, the first one stored), or
 * `undefined` when none is (signed out, cleared by another tab, storage refused). The keys are the
 * same in v5 and v6: `CognitoIdentityServiceProvider.<client>.LastAuthUser`, then
 * `….<client>.<user>.accessToken`, `idToken`, `clockDrift`.
 */
export function storedSession({ scale, tolerance }: ExpiryRule, client: string | undefined): StoredSession | undefined {
  try {
    const storage = browserWindow()?.localStorage;
    let lastUser = client === undefined ? undefined : `${storagePrefix}${client}.LastAuthUser`;
    for (let index = 0; storage && lastUser === undefined && index < storage.length; index++) {
      const key = storage.key(index);
      if (key?.startsWith(storagePrefix) && key.endsWith('.LastAuthUser')) lastUser = key;
    }
    const prefix = `${lastUser?.slice(0, -'LastAuthUser'.length)}${storage?.getItem(lastUser ?? '')}.`;
    const accessToken = storage?.getItem(`${prefix}accessToken`);
    if (!storage || !lastUser || !accessToken) return undefined;
    const drift = (Number.parseInt(storage.getItem(`${prefix}clockDrift`) ?? '0', 10) || 0) * scale;
    const idToken = storage.getItem(`${prefix}idToken`);
    // Amplify reads a missing `exp` as 0: expired.
    const expired = (token: string) => Date.now() + drift + tolerance >= (readClaims(token).exp ?? 0) * 1000;
    return {
      accessToken,
      refreshesOnRead: expired(accessToken) || (idToken !== null && expired(idToken)),
      issuedAt: (readClaims(accessToken).iat ?? 0) * 1000 - drift,
    };
  } catch {
    // Storage refused (privacy modes): nothing this tab could judge.
    return undefined;
  }
}
