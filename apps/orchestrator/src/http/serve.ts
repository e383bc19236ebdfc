import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export type Route = (req: IncomingMessage) => Promise<{ status: number; body: string; type?: string }> | undefined;

/**
 * A tiny HTTP server for health and metrics: no framework, since it serves two GETs and must stay up when the rest
 * of the process is busy. Unknown paths get 404 in the platform's error shape.
 */
export async function serveHttp(route: Route, port: number, host: string): Promise<RunningServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const handled = req.method === 'GET' || req.method === 'HEAD' ? route(req) : undefined;
    if (!handled) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ success: false, error: 'NOT_FOUND', message: `${req.method} ${req.url} does not exist` }),
      );
      return;
    }
    handled.then(
      (r) => {
        res.writeHead(r.status, { 'content-type': r.type ?? 'application/json', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : r.body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: false, error: 'INTERNAL_ERROR', message: 'internal error' }));
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}
