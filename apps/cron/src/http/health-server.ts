import Fastify from 'fastify';

export interface HealthRoutes {
  /** GET /health: 200 when the cron can work, 503 when it cannot (database unreachable). */
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /metrics: Prometheus text. */
  metrics(): Promise<{ body: string; contentType: string }>;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** /health and /metrics on one port; anything else is 404 in the platform's error shape. */
export async function serveHealth(routes: HealthRoutes, port: number, host: string): Promise<RunningServer> {
  const app = Fastify({ logger: false });
  app.get('/health', async (_req, reply) => {
    const { status, body } = await routes.health();
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
  app.get('/metrics', async (_req, reply) => {
    const { body, contentType } = await routes.metrics();
    return reply.header('content-type', contentType).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ success: false, error: 'NOT_FOUND', message: `${req.method} ${req.url} does not exist` }),
  );
  await app.listen({ port, host });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => app.close(),
  };
}
