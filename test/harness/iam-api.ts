import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';

/** What the API knows of an access key: what STS would know of credentials it issued. */
export interface KnownCredentials {
  secretAccessKey: string;
  /** Temporary credentials have one, and then the request must carry it (signed). */
  sessionToken?: string;
  expiration?: Date;
  /** Refused with an explicit deny (a revoked identity: IAM's `AWSRevokeOlderSessions`). */
  revoked?: boolean;
  /** The Cognito identity the credentials were issued to, recorded with each request. */
  identityId?: string;
}

/** How the API answers a refusal: the body shape and status of each AWS front door. */
export type IamApiFlavor = 'api-gateway' | 'lambda-url' | 'appsync';

export interface IamApiOptions {
  /** The credentials the API accepts, by access key id (`undefined`: unknown key). */
  credentials: (accessKeyId: string) => KnownCredentials | undefined;
  /** @default 'us-east-1' */
  region?: string;
  /** @default 'execute-api' */
  service?: string;
  /** @default 'api-gateway' */
  flavor?: IamApiFlavor;
}

/** Why a request was refused, as the error type AWS names in `x-amzn-errortype`. */
export type IamRefusal =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'ExpiredTokenException'
  | 'AccessDeniedException';

export interface IamApiRequest {
  method: string;
  /** The request target exactly as received: the raw path and query. */
  target: string;
  /** Header names lower-cased, repeated headers joined with `,` (as SigV4 canonicalizes them). */
  headers: Record<string, string>;
  body: Buffer;
  status: number;
  /** `undefined` when the signature verified and the request was answered 200. */
  refusal: IamRefusal | undefined;
  message: string | undefined;
  accessKeyId: string | undefined;
  identityId: string | undefined;
  signedHeaders: string[];
  /** The canonical request aws4 computed from what was received (when it got that far). */
  canonicalRequest: string | undefined;
}

export interface IamApi {
  url: string;
  region: string;
  service: string;
  /** Every request, in arrival order. */
  readonly requests: IamApiRequest[];
  /** The server's clock is `Date.now() + clockOffsetMs`: its time window and `Date` header use it. */
  clockOffsetMs: number;
  stop(): Promise<void>;
}

// SigV4's time window: a signature more than 5 minutes from the server's clock is refused.
const windowMs = 5 * 60_000;

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** `AWS4-HMAC-SHA256 Credential=…/…, SignedHeaders=…, Signature=…`, or `undefined`. */
function parseAuthorization(value: string) {
  const match = /^AWS4-HMAC-SHA256 (.*)$/.exec(value.trim());
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders')?.split(';');
  const signature = fields.get('Signature');
  if (!credential || credential.length !== 5 || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service, terminator] = credential as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator, signedHeaders, signature };
}

function rawHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An API on 127.0.0.1 that accepts only requests signed with AWS Signature V4 by credentials it
 * knows, verified with `aws4` (mhart/aws4), an implementation independent of the one the plugin
 * signs with (`@smithy/signature-v4`): the signature is recomputed from the raw request as
 * received (method, raw path and query, the signed headers' values, the body bytes). It checks the
 * credential scope, the session token (present, signed, the one issued, unexpired), the 5-minute
 * time window against its own clock (which a test can offset), and revocation; refusals carry
 * the status, `x-amzn-errortype` and message that API Gateway (or a Lambda function URL, or
 * AppSync) answers with. Every response has a `Date` of the server's clock, and CORS headers.
 */
export async function startIamApi(options: IamApiOptions): Promise<IamApi> {
  const { credentials, region = 'us-east-1', service = 'execute-api', flavor = 'api-gateway' } = options;
  const requests: IamApiRequest[] = [];
  const state = { clockOffsetMs: 0 };

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, content-type, x-amz-date, x-amz-security-token, x-amz-content-sha256',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-expose-headers': 'date, x-amzn-errortype, x-amzn-requestid',
  };

  function answer(response: ServerResponse, now: number, status: number, body: object, errorType?: string) {
    response.writeHead(status, {
      ...cors,
      'content-type': 'application/json',
      date: new Date(now).toUTCString(),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    response.end(JSON.stringify(body));
  }

  function refusalBody(type: IamRefusal, message: string): { status: number; body: object } {
    if (flavor === 'appsync') return { status: 401, body: { errors: [{ errorType: type, message }] } };
    if (flavor === 'lambda-url') return { status: 403, body: { Message: message } };
    return { status: 403, body: { message } };
  }

  const server: Server = createServer(async (request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors);
      return response.end();
    }
    const body = await readBody(request);
    const now = Date.now() + state.clockOffsetMs;
    const headers = rawHeaders(request);
    const record: IamApiRequest = {
      method: request.method ?? 'GET',
      target: request.url ?? '/',
      headers,
      body,
      status: 0,
      refusal: undefined,
      message: undefined,
      accessKeyId: undefined,
      identityId: undefined,
      signedHeaders: [],
      canonicalRequest: undefined,
    };
    requests.push(record);

    const refuse = (type: IamRefusal, message: string) => {
      const { status, body: payload } = refusalBody(type, message);
      Object.assign(record, { status, refusal: type, message });
      answer(response, now, status, payload, type);
    };

    const authorization = headers.authorization;
    if (!authorization) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const auth = parseAuthorization(authorization);
    if (!auth) {
      return refuse(
        'IncompleteSignatureException',
        `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.`,
      );
    }
    record.accessKeyId = auth.accessKeyId;
    record.signedHeaders = auth.signedHeaders;
    if (auth.region !== region)
      return refuse('InvalidSignatureException', `Credential should be scoped to a valid region, not '${auth.region}'.`);
    if (auth.service !== service)
      return refuse('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
    if (auth.terminator !== 'aws4_request')
      return refuse('InvalidSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request'.`);
    if (!auth.signedHeaders.includes('host')) {
      return refuse('InvalidSignatureException', `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
    }
    // Every x-amz-* header that is sent must be signed, as S3 demands; the plugin signs them all.
    const unsigned = Object.keys(headers).filter((name) => name.startsWith('x-amz-') && !auth.signedHeaders.includes(name));
    if (unsigned.length) return refuse('InvalidSignatureException', `Headers not signed: ${unsigned.join(', ')}.`);
    const missing = auth.signedHeaders.filter((name) => !(name in headers));
    if (missing.length) return refuse('InvalidSignatureException', `Signed headers not in the request: ${missing.join(', ')}.`);
    const dateText = headers['x-amz-date'];
    const signedAt = dateText === undefined ? undefined : parseAmzDate(dateText);
    if (dateText === undefined || signedAt === undefined) {
      return refuse('IncompleteSignatureException', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
    }
    if (dateText.slice(0, 8) !== auth.date) {
      return refuse(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${dateText.slice(0, 8)}', from '${dateText}'.`,
      );
    }

    const known = credentials(auth.accessKeyId);
    if (!known) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    record.identityId = known.identityId;

    // The independent recomputation: aws4 over exactly what was received.
    const signedValues: Record<string, string> = {};
    for (const name of auth.signedHeaders) signedValues[name] = headers[name]!;
    const signer = new aws4.RequestSigner(
      {
        method: record.method,
        path: record.target,
        headers: signedValues,
        body,
        service,
        region,
        doNotModifyHeaders: true,
        // Sign exactly the client's list, even headers aws4 would leave out by default.
        extraHeadersToInclude: Object.fromEntries(auth.signedHeaders.map((name) => [name, true])),
      } as aws4.Request,
      {
        accessKeyId: auth.accessKeyId,
        secretAccessKey: known.secretAccessKey,
        ...(known.sessionToken ? { sessionToken: known.sessionToken } : {}),
      },
    );
    signer.datetime = dateText;
    record.canonicalRequest = signer.canonicalString();
    const expected = signer.signature();
    if (expected !== auth.signature) {
      const stringToSign = signer.stringToSign();
      return refuse(
        'InvalidSignatureException',
        `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${record.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
      );
    }

    if (signedAt < now - windowMs) {
      return refuse(
        'InvalidSignatureException',
        `Signature expired: ${dateText} is now earlier than ${amzDate(now - windowMs)} (${amzDate(now)} - 5 min.)`,
      );
    }
    if (signedAt > now + windowMs) {
      return refuse(
        'InvalidSignatureException',
        `Signature not yet current: ${dateText} is still later than ${amzDate(now + windowMs)} (${amzDate(now)} + 5 min.)`,
      );
    }

    if (known.sessionToken !== undefined) {
      const token = headers['x-amz-security-token'];
      if (token !== known.sessionToken)
        return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (known.expiration && known.expiration.getTime() <= now) {
      return refuse('ExpiredTokenException', 'The security token included in the request is expired');
    }
    if (known.revoked) {
      const path = record.target.split('?')[0];
      return refuse(
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/Cognito_Role/CognitoIdentityCredentials is not authorized to perform: ${service}:Invoke on resource: arn:aws:${service}:${region}:123456789012:api/test/${record.method}${path} with an explicit deny`,
      );
    }

    const [path, query] = [record.target.split('?')[0], record.target.split('?').slice(1).join('?')];
    // A signed request that the API redirects elsewhere (`/redirect?to=<url>`): where does the signature go?
    const to = path === '/redirect' ? new URLSearchParams(query).get('to') : null;
    if (to) {
      record.status = 302;
      response.writeHead(302, { location: to }).end();
      return;
    }
    record.status = 200;
    answer(response, now, 200, {
      ok: true,
      identityId: known.identityId,
      method: record.method,
      path,
      query,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      bodyLength: body.byteLength,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region,
    service,
    requests,
    get clockOffsetMs() {
      return state.clockOffsetMs;
    },
    set clockOffsetMs(value: number) {
      state.clockOffsetMs = value;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
