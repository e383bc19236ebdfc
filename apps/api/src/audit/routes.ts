import { AuditEntrySchema, AuditQuerySchema, dataResponse } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { readContext, requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';

export function auditRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/audit',
    {
      config: { access: { principal: 'authenticated', scope: 'keys:manage' } },
      schema: {
        summary: 'Who created and revoked your keys and registered your models, and when (newest first)',
        description:
          "A signed-in user or a key with `keys:manage` reads its own owner's entries (row-level security); the service key may name an owner.",
        tags: ['keys'],
        querystring: AuditQuerySchema,
        response: {
          200: dataResponse(z.array(AuditEntrySchema)).describe('audit entries, newest first'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => {
      const principal = requireAuthenticated(req.principal);
      const { owner, limit } = req.query;
      if (owner && principal.kind !== 'service') {
        throw new AppError('FORBIDDEN', { message: 'only the service key may name an owner; leave owner out' });
      }
      const data = await deps.db.asRequest(readContext(principal), (tx) => repos.auditLog.find(tx, { owner, limit }));
      return { success: true as const, data };
    },
  );
}
