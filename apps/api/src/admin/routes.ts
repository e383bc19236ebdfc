import { dataResponse, OutboxListingSchema, OutboxQuerySchema } from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import type { ApiDeps } from '../deps';
import { listOutbox } from './list-outbox';

export function adminRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/admin/outbox',
    {
      config: { access: { principal: 'service' } },
      schema: {
        summary: 'Outbox counts and items, dead letters with their last error (service key)',
        tags: ['admin'],
        querystring: OutboxQuerySchema,
        response: {
          200: dataResponse(OutboxListingSchema).describe('counts by status and the oldest items'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => ({ success: true as const, data: await listOutbox(deps, req.query) }),
  );
}
