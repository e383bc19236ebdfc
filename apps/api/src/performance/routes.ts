import { PerformanceCurveQuerySchema, PerformanceMetricsQuerySchema } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { parseOrThrow } from '../http/validate';
import { findPerformanceCurve } from './find-performance-curve';
import { findPerformanceMetrics } from './find-performance-metrics';

/** Figures per model or vendor, and their curves (docs/metrics.md); public models' to anyone. */
export function registerPerformanceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/performance/metrics', async (req) => {
    const query = parseOrThrow(PerformanceMetricsQuerySchema, req.query, 'query');
    const { rows, total } = await findPerformanceMetrics(deps, { principal: req.principal, query });
    return { success: true, data: rows, total };
  });

  app.get('/api/performance/curve', async (req) => {
    const query = parseOrThrow(PerformanceCurveQuerySchema, req.query, 'query');
    return { success: true, data: await findPerformanceCurve(deps, { principal: req.principal, query }) };
  });
}
