import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { KnownCredentials } from './iam-api.js';

export interface LocalIdentityPoolOptions {
  /** @default 'us-east-1' */
  region?: string;
  /** Lifetime of the credentials handed out, in seconds; can be changed later. @default 3600 */
  credentialsSeconds?: number;
  /** Whether guests (no `Logins`) get an identity and credentials. @default true */
  allowGuests?: boolean;
  /**
   * The user pool whose ID tokens are accepted in `Logins`: its issuer (the `Logins` key is the
   * issuer without its scheme, as Amplify forms it) and its JWKS. Without it, no sign-in is accepted.
   * @default none
   */
  userPool?: { issuer: string; jwksUrl: string };
}

/** One set of credentials the pool handed out. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  identityId: string;
  issuedAt: Date;
}

/** An answer the pool gives instead of the real one, for fault tests. */
export interface IdentityPoolFault {
  status: number;
  type: string;
  message: string;
}

export interface LocalIdentityPool {
  /** `Auth.Cognito.identityPoolEndpoint` for Amplify. */
  endpoint: string;
  /** `<region>:<uuid>`, as Amplify requires (it reads the region from it). */
  identityPoolId: string;
  region: string;
  /** Lifetime of the credentials handed out from now on, in seconds. */
  credentialsSeconds: number;
  /** Calls per action (`GetId`, `GetCredentialsForIdentity`), faults and refusals included. */
  readonly calls: { readonly GetId: number; readonly GetCredentialsForIdentity: number };
  /** Every set of credentials handed out, in order. */
  readonly issued: readonly IssuedCredentials[];
  /** Guest identities, in the order GetId created them (one per GetId without `Logins`, as Cognito does). */
  readonly guestIdentities: readonly string[];
  /** The identity of the user with this `sub`, once GetId (or a guest's upgrade) gave it one. */
  identityOf(sub: string): string | undefined;
  /**
   * Revokes an identity: the API refuses its credentials (an explicit deny, as IAM's
   * `AWSRevokeOlderSessions` does) and GetCredentialsForIdentity answers NotAuthorizedException.
   */
  revokeIdentity(identityId: string): void;
  /** What the API needs to verify a signature: the credentials issued under an access key id. */
  lookup(accessKeyId: string): KnownCredentials | undefined;
  /** Set to answer GetCredentialsForIdentity with a fault (counted); `undefined` heals. */
  credentialsFault: IdentityPoolFault | undefined;
  stop(): Promise<void>;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface Identity {
  id: string;
  /** The user's `sub`; `undefined` while it is a guest identity. */
  sub: string | undefined;
  revoked: boolean;
}

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function accessKeyId(): string {
  return `ASIA${Array.from(randomBytes(16), (byte) => base32[byte % 32]).join('')}`;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const body: unknown = text ? JSON.parse(text) : {};
  if (typeof body !== 'object' || body === null) throw new ServiceError('SerializationException', 'Expected an object');
  return body as Record<string, unknown>;
}

/**
 * A local Cognito identity pool on 127.0.0.1: the two calls Amplify v6 makes, `GetId` and
 * `GetCredentialsForIdentity` (AWS JSON 1.1, `X-Amz-Target: AWSCognitoIdentityService.<action>`,
 * unsigned), for guests and for users of one user pool, with short-lived credentials that the
 * API of `iam-api.ts` accepts through {@link LocalIdentityPool.lookup}.
 *
 * Identities behave as Cognito's: GetId without `Logins` creates a new guest identity; with a
 * user pool ID token it returns that user's identity (one per `sub`). GetCredentialsForIdentity
 * for a guest identity with `Logins` links it to the user when the user has none yet, and hands out
 * the user's own identity otherwise (the identity id in the answer says which). Errors are
 * Cognito's: `{"__type","message"}` with `x-amzn-errortype`, status 400.
 *
 * Amplify is pointed at it with `Auth.Cognito.identityPoolEndpoint` (Amplify v6 reads it in
 * `createCognitoIdentityPoolEndpointResolver`; it logs a warning about the custom endpoint).
 */
export async function startLocalIdentityPool(options: LocalIdentityPoolOptions = {}): Promise<LocalIdentityPool> {
  const { region = 'us-east-1', allowGuests = true, userPool } = options;
  const identityPoolId = `${region}:${randomUUID()}`;
  const jwks = userPool ? createRemoteJWKSet(new URL(userPool.jwksUrl)) : undefined;
  const loginKey = userPool?.issuer.replace(/^\w+:\/\//, '');
  const state = { credentialsSeconds: options.credentialsSeconds ?? 3600, fault: undefined as IdentityPoolFault | undefined };
  const calls = { GetId: 0, GetCredentialsForIdentity: 0 };
  const identities = new Map<string, Identity>();
  const bySub = new Map<string, Identity>();
  const guestIdentities: string[] = [];
  const issued: IssuedCredentials[] = [];
  const byAccessKey = new Map<string, IssuedCredentials>();

  /** The `sub` of the user the `Logins` map signs in, or `undefined` for none; throws as Cognito does. */
  async function loginSub(logins: unknown): Promise<string | undefined> {
    if (logins === undefined || logins === null) return undefined;
    if (typeof logins !== 'object') throw new ServiceError('InvalidParameterException', 'Logins must be a map');
    const entries = Object.entries(logins as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    const [key, token] = entries[0]!;
    if (!jwks || key !== loginKey || typeof token !== 'string') {
      throw new ServiceError('NotAuthorizedException', 'Invalid login token. Issuer doesn\u2019t match providerName');
    }
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: userPool!.issuer });
      if (typeof payload.sub !== 'string')
        throw new ServiceError('NotAuthorizedException', 'Invalid login token. Missing a required claim: sub');
      return payload.sub;
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      if (error instanceof joseErrors.JWTExpired) {
        const exp = decodeJwt(token).exp;
        throw new ServiceError('NotAuthorizedException', `Invalid login token. Token expired: ${Math.floor(Date.now() / 1000)} >= ${exp}`);
      }
      throw new ServiceError('NotAuthorizedException', "Invalid login token. Couldn't verify signed token.");
    }
  }

  function newIdentity(sub: string | undefined): Identity {
    const identity: Identity = { id: `${region}:${randomUUID()}`, sub, revoked: false };
    identities.set(identity.id, identity);
    if (sub === undefined) guestIdentities.push(identity.id);
    else bySub.set(sub, identity);
    return identity;
  }

  async function getId(body: Record<string, unknown>) {
    if (body.IdentityPoolId !== identityPoolId) {
      throw new ServiceError('ResourceNotFoundException', `IdentityPool '${String(body.IdentityPoolId)}' not found.`);
    }
    const sub = await loginSub(body.Logins);
    if (sub === undefined) {
      if (!allowGuests) throw new ServiceError('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
      return { IdentityId: newIdentity(undefined).id };
    }
    return { IdentityId: (bySub.get(sub) ?? newIdentity(sub)).id };
  }

  async function getCredentialsForIdentity(body: Record<string, unknown>) {
    if (state.fault) throw new ServiceError(state.fault.type, state.fault.message, state.fault.status);
    const requested = typeof body.IdentityId === 'string' ? identities.get(body.IdentityId) : undefined;
    if (!requested) throw new ServiceError('ResourceNotFoundException', `Identity '${String(body.IdentityId)}' not found.`);
    const sub = await loginSub(body.Logins);
    let identity = requested;
    if (sub === undefined) {
      if (requested.sub !== undefined) {
        throw new ServiceError(
          'NotAuthorizedException',
          "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        );
      }
      if (!allowGuests) throw new ServiceError('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
    } else if (requested.sub === undefined) {
      // A guest signing in: its identity becomes the user's, unless the user has one already.
      const own = bySub.get(sub);
      if (own) identity = own;
      else {
        requested.sub = sub;
        bySub.set(sub, requested);
      }
    } else if (requested.sub !== sub) {
      throw new ServiceError(
        'NotAuthorizedException',
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
      );
    }
    if (identity.revoked) throw new ServiceError('NotAuthorizedException', `Access to Identity '${identity.id}' is forbidden.`);

    const now = Date.now();
    const credentials: IssuedCredentials = {
      accessKeyId: accessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      // Real session tokens are long base64 with '/', '+' and '=': header values must survive them.
      sessionToken: randomBytes(300).toString('base64'),
      expiration: new Date(now + state.credentialsSeconds * 1000),
      identityId: identity.id,
      issuedAt: new Date(now),
    };
    issued.push(credentials);
    byAccessKey.set(credentials.accessKeyId, credentials);
    return {
      IdentityId: identity.id,
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        // AWS JSON 1.1 timestamps are seconds since the epoch (fractions allowed).
        Expiration: credentials.expiration.getTime() / 1000,
      },
    };
  }

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type, x-amz-target, x-amz-user-agent, cache-control',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-expose-headers': 'x-amzn-errortype, x-amzn-requestid',
  };

  function send(response: ServerResponse, status: number, body: object, errorType?: string) {
    response.writeHead(status, {
      ...cors,
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': `${errorType}:` } : {}),
    });
    response.end(JSON.stringify(body));
  }

  const server: Server = createServer(async (request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors);
      return response.end();
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.replace(/^AWSCognitoIdentityService\./, '');
    try {
      const body = await readJson(request);
      if (action === 'GetId') {
        calls.GetId++;
        return send(response, 200, await getId(body));
      }
      if (action === 'GetCredentialsForIdentity') {
        calls.GetCredentialsForIdentity++;
        return send(response, 200, await getCredentialsForIdentity(body));
      }
      throw new ServiceError('UnknownOperationException', `Unsupported action: ${target}`);
    } catch (error) {
      const failure = error instanceof ServiceError ? error : new ServiceError('InternalErrorException', String(error), 500);
      send(response, failure.status, { __type: failure.type, message: failure.message }, failure.type);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    identityPoolId,
    region,
    get credentialsSeconds() {
      return state.credentialsSeconds;
    },
    set credentialsSeconds(value: number) {
      state.credentialsSeconds = value;
    },
    calls,
    issued,
    guestIdentities,
    identityOf: (sub) => bySub.get(sub)?.id,
    revokeIdentity(identityId) {
      const identity = identities.get(identityId);
      if (!identity) throw new Error(`No identity ${identityId}`);
      identity.revoked = true;
    },
    lookup(id) {
      const credentials = byAccessKey.get(id);
      if (!credentials) return undefined;
      return {
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        expiration: credentials.expiration,
        identityId: credentials.identityId,
        revoked: identities.get(credentials.identityId)?.revoked ?? false,
      };
    },
    get credentialsFault() {
      return state.fault;
    },
    set credentialsFault(value: IdentityPoolFault | undefined) {
      state.fault = value;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
