import type { Server } from 'node:http';

/**
 * Closes test servers, their keep-alive connections first: Deno's and Bun's fetch keep them open,
 * and `close()` would wait for them.
 */
export async function closeServers(...servers: Array<Server | undefined>): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve) => {
          if (!server) return resolve(undefined);
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
}
