import type { WorkerModelsResponse } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import type { WorkerContext } from '../http/context';

export function registerModelRoutes(app: FastifyInstance, ctx: WorkerContext): void {
  app.get(
    '/v1/models',
    async (): Promise<WorkerModelsResponse> => ({
      success: true,
      models: ctx.registry.list().map((m) => ({
        id: m.id,
        version: m.version,
        description: m.description,
        required_bars: m.requiredBars,
      })),
    }),
  );
}
