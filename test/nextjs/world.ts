// The world of the Next.js tests: the local Cognito of ./cognito.ts, the harness's JWKS-verifying
// API trusting it, and examples/nextjs built with `next build` and run with `next start`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ProtectedApi, startProtectedApi } from '../harness/protected-api.js';
import { type NextCognito, startNextCognito } from './cognito.js';
import { startServerProcess, untilAnswering } from '../harness/child.js';
import { freePort } from '../harness/cognito-local.js';
import { delay } from '../support/time.js';

const run = promisify(execFile);
export const appDir = fileURLToPath(new URL('../../examples/nextjs', import.meta.url));
const nextBin = join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next');
const preload = new URL('./offline-cognito.mjs', import.meta.url).href;

export interface NextApp {
  origin: string;
  /** What `next start` printed (the preload's lines included). */
  output(): string;
  stop(): Promise<void>;
}

export interface NextWorld {
  cognito: NextCognito;
  api: ProtectedApi;
  app: NextApp;
  /**
   * Makes the API reject every token issued so far. Waits for the next second first, so that a
   * token refreshed from now on (whose `iat` is in a later second) passes.
   */
  rejectCurrentTokens(): Promise<void>;
  stop(): Promise<void>;
}

function ensureInstalled(): void {
  for (const name of ['next', 'axios-amplify-auth', '@aws-amplify/adapter-nextjs']) {
    if (!existsSync(join(appDir, 'node_modules', name, 'package.json'))) {
      throw new Error(
        `examples/nextjs/node_modules/${name} is missing: run \`bash .ci/nextjs.sh\` (npm ci there, then the packed project)`,
      );
    }
  }
}

/** `next build` of examples/nextjs (once per run; about 20 s on 2 cores). */
export async function buildApp(): Promise<void> {
  ensureInstalled();
  await run(process.execPath, [nextBin, 'build'], {
    cwd: appDir,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', NODE_OPTIONS: '' },
  });
}

/** `next start -H 127.0.0.1 -p <free port>` with the world's configuration in its environment. */
export async function startApp(env: Record<string, string>): Promise<NextApp> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = startServerProcess(nextBin, ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: appDir,
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_OPTIONS: `--import=${preload}`,
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    },
    keepChars: 200_000,
  });
  try {
    await untilAnswering(server, `${origin}/sign-in`, 'next start', 30_000, 200);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { origin, output: server.output, stop: server.stop };
}

export async function startNextWorld(): Promise<NextWorld> {
  const cognito = await startNextCognito();
  const stops: Array<() => Promise<void>> = [() => cognito.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const api = await startProtectedApi({ issuer: cognito.issuer, jwksUrl: cognito.jwksUrl, audience: cognito.clientId });
    stops.push(() => api.stop());
    const app = await startApp({
      AMPLIFY_USER_POOL_ID: cognito.userPoolId,
      AMPLIFY_USER_POOL_CLIENT_ID: cognito.clientId,
      AMPLIFY_USER_POOL_ENDPOINT: cognito.endpoint,
      API_URL: api.url,
      TEST_COGNITO_KEYS_ORIGIN: cognito.direct,
    });
    stops.push(() => app.stop());
    return {
      cognito,
      api,
      app,
      async rejectCurrentTokens() {
        await delay(1000 - (Date.now() % 1000) + 5);
        api.rejectIssuedBefore(Date.now());
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
