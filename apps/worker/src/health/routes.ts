import { CONTRACTS_VERSION } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import type { WorkerContext } from '../http/context';

export function registerHealthRoutes(app: FastifyInstance, ctx: WorkerContext): void {
  // Liveness only: the worker has no dependency that could be down.
  app.get('/health', async () => ({
    status: 'ok',
    service: 'worker',
    contracts_version: CONTRACTS_VERSION,
    models: ctx.registry.list().length,
  }));
}
