import Fastify from 'fastify';
import { clientErrorHandler, installErrorHandling } from './error-handler';

export interface HealthServerOptions {
  port: number;
  host: string;
  /** GET /health: the status (200 when the service can work, 503 when it cannot) and a JSON body. */
  health?: () => Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /metrics: Prometheus text (a prom-client registry fits). */
  metrics?: { contentType: string; metrics(): Promise<string> };
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The health and metrics port of a service that is not an HTTP api (cron, orchestrator): Fastify with the services'
 * error handling, so anything but its routes answers in the contracts' error shape.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<RunningServer> {
  const app = Fastify({ logger: false, clientErrorHandler });
  installErrorHandling(app, { bodyLimitBytes: app.initialConfig.bodyLimit ?? 1_048_576 });
  const { health, metrics } = options;
  if (health) {
    app.get('/health', async (_req, reply) => {
      const { status, body } = await health();
      return reply.code(status).header('cache-control', 'no-store').send(body);
    });
  }
  if (metrics) {
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', metrics.contentType).header('cache-control', 'no-store');
      return metrics.metrics();
    });
  }
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => app.close(),
  };
}
