import { dataResponse, PerformanceQuerySchema, TrackRecordSchema } from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { findPerformance } from './find-performance';

export function performanceRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/performance',
    {
      config: { access: { principal: 'anyone' } },
      schema: {
        summary: 'Track records: hit rate and mean return of each model on each series, over its newest scored signals',
        description:
          'A signal for bar T is scored when bar T is stored after its close: a hit when the bar moved the called way. Late signals are never scored. Public models are visible to anyone, private ones to their owner.',
        tags: ['performance'],
        querystring: PerformanceQuerySchema,
        response: {
          200: dataResponse(z.array(TrackRecordSchema)).describe('track records'),
          ...errorResponses('FORBIDDEN'),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await findPerformance(deps, { principal: req.principal, query: req.query }),
    }),
  );
}
