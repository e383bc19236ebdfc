import { pendingMigrations } from '@neuronetiq/db';
import type { ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import type { ApiDeps } from '../deps';

const ReadySchema = z.object({
  status: z.literal('ready'),
  database: z.literal('reachable'),
  migrations: z.literal('current'),
});
const NotReadySchema = z
  .object({ status: z.string(), pending: z.array(z.string()).optional() })
  .describe('not ready: the database is unreachable or a migration is pending');
const anyone = { access: { principal: 'anyone' } } as const;
const tags = ['platform'];

/**
 * Liveness and readiness (database reachable, migrations current); no credentials. The Prometheus metrics are not
 * here: they are served on their own port (METRICS_PORT, server.ts), which the public service does not expose.
 */
export function healthRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/health',
    {
      config: anyone,
      schema: { summary: 'Liveness', tags, response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: anyone,
      schema: {
        summary: 'Database reachable and migrations current',
        tags,

        response: { 200: ReadySchema, 503: NotReadySchema },
      },
    },
    async (_req, reply) => {
      try {
        const pending = await pendingMigrations(deps.db);
        if (pending.length) return reply.code(503).send({ status: 'migrations pending', pending });
        return { status: 'ready' as const, database: 'reachable' as const, migrations: 'current' as const };
      } catch {
        return reply.code(503).send({ status: 'database unreachable' });
      }
    },
  );
}
