// Refresh-token rotation, as a Cognito app client with `RefreshTokenRotation: { Feature: 'ENABLED',
// RetryGracePeriodSeconds }` does it, for the layer in front of cognito-local (test/harness/cognito.ts),
// which has no rotation of its own. The layer hands out opaque refresh tokens of its own, each mapped
// to cognito-local's refresh token of the sign-in it came from (one family per sign-in), and judges
// every GetTokensFromRefreshToken here:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html
import { randomBytes } from 'node:crypto';

export interface RotationOptions {
  /**
   * `RetryGracePeriodSeconds` (0–60): how long a refresh token stays valid after it was spent.
   * 0: a successful refresh invalidates the submitted token at once.
   */
  gracePeriodSeconds: number;
}

/** What became of one GetTokensFromRefreshToken, as the rotation judged it. */
export type SpendOutcome =
  /** The token's first spend: new tokens, a new refresh token. */
  | 'rotated'
  /** Spent before, within the grace period: new tokens, a new refresh token. */
  | 'within-grace'
  /** Spent before, after the grace period: RefreshTokenReuseException. */
  | 'reused'
  /** Its family was revoked (RevokeToken of any token of it): NotAuthorizedException. */
  | 'revoked'
  /** Not a token the layer handed out: NotAuthorizedException. */
  | 'unknown';

export interface Spend {
  /** The refresh token submitted. */
  token: string;
  outcome: SpendOutcome;
  /** The family (one per sign-in) the token belongs to; 0 for an unknown token. */
  family: number;
  at: number;
}

/** What a test reads to tell whether a refresh token was ever spent twice. */
export interface RotationLedger {
  readonly gracePeriodSeconds: number;
  /** How many times each refresh token was submitted to GetTokensFromRefreshToken (answered or refused). */
  readonly refreshesPerToken: ReadonlyMap<string, number>;
  /** The refresh tokens submitted more than once, in the order of their second spend. */
  readonly spentTwice: readonly string[];
  /** Every GetTokensFromRefreshToken judged, in arrival order. */
  readonly spends: readonly Spend[];
}

/** A refusal, as Cognito sends it: HTTP 400, `x-amzn-errortype`, `{ __type, message }`. */
export interface Refusal {
  status: 400;
  type: string;
  message: string;
}

/** One sign-in's refresh tokens: each rotated from the one before. */
export interface RotationFamily {
  id: number;
  /** cognito-local's refresh token of the sign-in: what a refresh of this family is made with. */
  upstream: string;
  revoked: boolean;
}

interface Issued {
  family: RotationFamily;
  /** When the token was first spent (the grace period runs from then). */
  spentAt?: number;
}

/**
 * The refusal of a refresh token invalidated by rotation. The API reference lists, for
 * GetTokensFromRefreshToken, `RefreshTokenReuseException`: "thrown when your application requests
 * token refresh with a refresh token that has been invalidated by refresh-token rotation" (HTTP 400)
 * — https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html#API_GetTokensFromRefreshToken_Errors
 * — so that is the type sent here. The reference gives no message; this one is the layer's own.
 */
export const reuseRefusal: Refusal = { status: 400, type: 'RefreshTokenReuseException', message: 'Refresh token has been reused.' };
/** A family revoked by RevokeToken: what Cognito says for a revoked refresh token. */
export const revokedRefusal: Refusal = { status: 400, type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' };
/** A token Cognito never issued (or issued to another app client). */
export const unknownRefusal: Refusal = { status: 400, type: 'NotAuthorizedException', message: 'Invalid Refresh Token.' };
/**
 * InitiateAuth REFRESH_TOKEN_AUTH on an app client that rotates: "Refresh token rotation must be
 * completed with GetTokensFromRefreshToken" (RefreshTokenRotationType, link above). Cognito refuses
 * an auth flow that the app client does not allow with InvalidParameterException; the message is the
 * layer's own.
 */
export const refreshTokenAuthRefusal: Refusal = {
  status: 400,
  type: 'InvalidParameterException',
  message: 'REFRESH_TOKEN_AUTH is not allowed for an app client with refresh token rotation: use GetTokensFromRefreshToken',
};

export class RefreshTokenRotation implements RotationLedger {
  #gracePeriodSeconds = 0;
  readonly refreshesPerToken = new Map<string, number>();
  readonly spentTwice: string[] = [];
  readonly spends: Spend[] = [];
  readonly #issued = new Map<string, Issued>();
  #families = 0;
  #minted = 0;

  constructor({ gracePeriodSeconds }: RotationOptions) {
    this.gracePeriodSeconds = gracePeriodSeconds;
  }

  get gracePeriodSeconds(): number {
    return this.#gracePeriodSeconds;
  }

  /** As UpdateUserPoolClient changes `RetryGracePeriodSeconds`: from now on, for every token. */
  set gracePeriodSeconds(seconds: number) {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 60) {
      throw new RangeError(`rotation.gracePeriodSeconds must be an integer from 0 to 60 (RetryGracePeriodSeconds), not ${seconds}`);
    }
    this.#gracePeriodSeconds = seconds;
  }

  /** A sign-in: a new family, whose first refresh token the layer hands out instead of cognito-local's. */
  signIn(upstream: string): string {
    return this.#mint({ id: ++this.#families, upstream, revoked: false });
  }

  /**
   * Judges a GetTokensFromRefreshToken of `token` now: the family to refresh, or the refusal.
   * The spend is recorded at once, before cognito-local answers, so that two refreshes with the
   * same token in flight together are judged as Cognito would: the second is a reuse.
   */
  spend(token: string, now = Date.now()): { family: RotationFamily } | { refusal: Refusal } {
    const count = (this.refreshesPerToken.get(token) ?? 0) + 1;
    this.refreshesPerToken.set(token, count);
    if (count === 2) this.spentTwice.push(token);
    const issued = this.#issued.get(token);
    const record = (outcome: SpendOutcome) => this.spends.push({ token, outcome, family: issued?.family.id ?? 0, at: now });
    if (!issued) {
      record('unknown');
      return { refusal: unknownRefusal };
    }
    if (issued.family.revoked) {
      record('revoked');
      return { refusal: revokedRefusal };
    }
    if (issued.spentAt === undefined) {
      issued.spentAt = now;
      record('rotated');
    } else if (now < issued.spentAt + this.gracePeriodSeconds * 1000) {
      record('within-grace');
    } else {
      record('reused');
      return { refusal: reuseRefusal };
    }
    return { family: issued.family };
  }

  /** The new refresh token of a successful refresh of `family`. */
  rotate(family: RotationFamily): string {
    return this.#mint(family);
  }

  /**
   * RevokeToken: revoking any refresh token of a family revokes the family (every token rotated from
   * the same sign-in). Returns cognito-local's token of the family, to revoke it there too, or
   * `undefined` for a token the layer never handed out.
   */
  revoke(token: string): string | undefined {
    const issued = this.#issued.get(token);
    if (!issued) return undefined;
    issued.family.revoked = true;
    return issued.family.upstream;
  }

  /** True when `token` was handed out by the layer. */
  owns(token: string): boolean {
    return this.#issued.has(token);
  }

  #mint(family: RotationFamily): string {
    // Opaque, as Cognito's are to a client; the family and the serial make test output readable.
    const token = `rotating.f${family.id}.n${++this.#minted}.${randomBytes(24).toString('base64url')}`;
    this.#issued.set(token, { family });
    return token;
  }
}
