// cognito-local 5.3 as a child process, for the local Cognitos of the tests, the demos and the
// Next.js example (test/harness/cognito.ts, test/nextjs/cognito.ts): each puts its own layer in
// front. cognito-local keeps its data and config in `./.cognito` of its current directory, so
// every run gets a temporary directory of its own.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, untilAnswering } from './child.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const target = (action: string) => `AWSCognitoIdentityProviderService.${action}`;

export interface CognitoLocalOptions {
  /** The tokens' issuer domain. @default the process's own address */
  issuerDomain?: string;
  /** A pool written before it starts, so that it has this id (one JSON file per pool, named by its id). */
  pool?: { id: string; name: string; arn: string };
}

export interface CognitoLocalProcess {
  /** cognito-local's own address (its JWKS is at `/<poolId>/.well-known/jwks.json`). */
  direct: string;
  /** Calls a Cognito API action on cognito-local; rejects with its answer when it is not OK. */
  call<T = Record<string, unknown>>(action: string, body: object): Promise<T>;
  /** Ends the process and removes its directory. */
  stop(): Promise<void>;
}

export async function startCognitoLocal({ issuerDomain, pool }: CognitoLocalOptions = {}): Promise<CognitoLocalProcess> {
  const directory = await mkdtemp(join(tmpdir(), 'cognito-local-'));
  const port = await freePort();
  const direct = `http://127.0.0.1:${port}`;
  await mkdir(join(directory, '.cognito', 'db'), { recursive: true });
  await writeFile(join(directory, '.cognito', 'config.json'), JSON.stringify({ TokenConfig: { IssuerDomain: issuerDomain ?? direct } }));
  if (pool) {
    await writeFile(
      join(directory, '.cognito', 'db', `${pool.id}.json`),
      JSON.stringify({ Users: {}, Options: { Id: pool.id, Name: pool.name, Arn: pool.arn } }),
    );
  }
  const bin = createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');
  const server = startServerProcess(bin, [], {
    cwd: directory,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', NODE_OPTIONS: '' },
  });
  const stop = async () => {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await untilAnswering(server, `${direct}/health`, 'cognito-local', 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const call = async <T>(action: string, body: object): Promise<T> => {
    const response = await fetch(direct, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target(action) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${action} failed: ${JSON.stringify(json)}`);
    return json;
  };
  return { direct, call, stop };
}

/** Answers as Cognito does, readable by a page on another origin (Amplify in a browser). */
export function answerAsCognito(response: ServerResponse, status: number, body: string, errorType?: string): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'x-amzn-errortype',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(body);
}

/** Answers a browser's CORS preflight; true when `request` was one. */
export function answeredPreflight(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'OPTIONS') return false;
  response.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': '*',
    'access-control-allow-methods': 'POST, GET, OPTIONS',
  });
  response.end();
  return true;
}
