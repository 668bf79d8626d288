import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

export interface ApiRequest {
  path: string;
  /** The token the request carried, if any. */
  token: string | undefined;
  status: number;
}

/** A request whose answer the API holds until {@link HeldAnswer.release}. */
export interface HeldAnswer {
  /** Resolves with the request's record once it arrived and was judged (it is in `requests` then). */
  readonly arrived: Promise<ApiRequest>;
  /** Resolves when the answer was sent (after `release`), or at once on a withdrawn hold. */
  readonly delivered: Promise<void>;
  /** Sends the answer; until then the caller waits. Before the request arrived, withdraws the hold. Idempotent. */
  release(): void;
}

export interface ProtectedApi {
  url: string;
  /** Every request, in arrival order. */
  readonly requests: ApiRequest[];
  /** Calls `listener` with each request as it is answered; returns the unsubscribe function. */
  onRequest(listener: (request: ApiRequest) => void): () => void;
  /**
   * Holds the answer of the next request to `path` (the path with its query, as recorded) until
   * `release()`. The request is judged, recorded and heard by `onRequest` when it arrives.
   */
  holdNext(path: string): HeldAnswer;
  /** Rejects tokens issued before `moment` (ms): what a key rotation or a revocation at the API looks like. */
  rejectIssuedBefore(moment: number): void;
  stop(): Promise<void>;
}

function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : header || undefined;
}

/**
 * An API on 127.0.0.1 that accepts only ID tokens that verify: RS256 against the issuer's JWKS,
 * `exp`, `iss` and `aud`. Answers 401 otherwise; answers CORS so a page can call it.
 */
export async function startProtectedApi({
  issuer,
  jwksUrl,
  audience,
}: {
  issuer: string;
  jwksUrl: string;
  audience: string;
}): Promise<ProtectedApi> {
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  const requests: ApiRequest[] = [];
  const listeners = new Set<(request: ApiRequest) => void>();
  let notBeforeSeconds = 0;
  const holds: Array<{ path: string; arrive(record: ApiRequest): void; released: Promise<void>; deliver(): void }> = [];
  const pendingReleases = new Set<() => void>();

  const server: Server = createServer(async (request, response) => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors);
      return response.end();
    }
    const token = bearer(request);
    let status = 401;
    let body: object = { message: 'Unauthorized' };
    if (token) {
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'] });
        if ((payload.iat ?? 0) < notBeforeSeconds) body = { message: 'Token issued before the API’s cut-off' };
        else {
          status = 200;
          body = { ok: true, path: request.url, user: payload.email ?? payload.sub };
        }
      } catch (error) {
        body = { message: `Invalid token: ${(error as Error).message}` };
      }
    }
    const record = { path: request.url ?? '', token, status };
    requests.push(record);
    for (const listener of listeners) listener(record);
    const index = holds.findIndex((hold) => hold.path === record.path);
    const hold = index >= 0 ? holds.splice(index, 1)[0] : undefined;
    if (hold) {
      hold.arrive(record);
      await hold.released;
      if (response.destroyed) return;
    }
    response.writeHead(status, { ...cors, 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
    hold?.deliver();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    holdNext(path: string): HeldAnswer {
      let arrive!: (record: ApiRequest) => void;
      const arrived = new Promise<ApiRequest>((resolve) => (arrive = resolve));
      let deliver!: () => void;
      const delivered = new Promise<void>((resolve) => (deliver = resolve));
      let releaseNow!: () => void;
      const released = new Promise<void>((resolve) => (releaseNow = resolve));
      const hold = { path, arrive, released, deliver };
      const release = () => {
        pendingReleases.delete(release);
        // Released before the request arrived: the hold is withdrawn.
        const queued = holds.indexOf(hold);
        if (queued >= 0) {
          holds.splice(queued, 1);
          deliver();
        }
        releaseNow();
      };
      pendingReleases.add(release);
      holds.push(hold);
      return { arrived, delivered, release };
    },
    rejectIssuedBefore(moment: number) {
      // `iat` has one-second resolution: a token issued in the cut-off's second passes.
      notBeforeSeconds = Math.floor(moment / 1000);
    },
    async stop() {
      for (const release of [...pendingReleases]) release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The `iat` of a token in ms, for messages and tests. */
export function issuedAt(token: string): number {
  return (decodeJwt(token).iat ?? 0) * 1000;
}
