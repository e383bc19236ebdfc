import { dataResponse, MeSchema } from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { getMe } from './get-me';

export function meRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/me',
    {
      config: { access: { principal: 'authenticated' } },
      schema: {
        summary: 'Who you are',
        tags: ['me'],
        response: {
          200: dataResponse(MeSchema).describe('the principal'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => ({ success: true as const, data: await getMe(deps, requireAuthenticated(req.principal)) }),
  );
}
