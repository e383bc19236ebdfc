import {
  dataResponse,
  PerformanceCurveQuerySchema,
  PerformanceCurveResponseSchema,
  PerformanceMetricsQuerySchema,
  PerformanceMetricsResponseSchema,
  PerformanceQuerySchema,
  TrackRecordSchema,
} from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { findPerformance } from './find-performance';
import { findPerformanceCurve } from './find-performance-curve';
import { findPerformanceMetrics } from './find-performance-metrics';

const anyone = { access: { principal: 'anyone' } } as const;
const tags = ['performance'];

export function performanceRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/performance',
    {
      config: anyone,
      schema: {
        summary:
          'Track records: hit rate, mean and confidence-weighted return and Brier score of each model on each series at one horizon, over its newest scored live signals',
        description:
          'A signal is entered at the close of the first bar that closes at or after its last change (received_at), whatever its bar_ts, and exited `horizon` bars later (1, 5 or 20): a hit when the price moved the called way. Late signals are never scored. Public models are visible to anyone, private ones to their owner.',
        tags,
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

  app.get(
    '/api/performance/metrics',
    {
      config: anyone,
      schema: {
        summary: 'Leaderboard figures per model or vendor over 7 d, 30 d or all time at one horizon, sortable by each',
        description:
          'Count, hit rate with its 95% Wilson interval, mean and median position return, Sharpe annualised for the timeframe, maximum drawdown, profit factor, Spearman rank correlation of direction × confidence with the forward return, late share; provisional below 30 resolved calls. Public models for anyone, private ones for their owner. Definitions and a worked example: docs/metrics.md.',
        tags,
        querystring: PerformanceMetricsQuerySchema,
        response: {
          200: PerformanceMetricsResponseSchema.describe('one page of rows and the total'),
          ...errorResponses(),
        },
      },
    },
    async (req) => {
      const { rows, total } = await findPerformanceMetrics(deps, { principal: req.principal, query: req.query });
      return { success: true as const, data: rows, total };
    },
  );

  app.get(
    '/api/performance/curve',
    {
      config: anyone,
      schema: {
        summary: "A model's (or vendor's) equity, drawdown and running hit rate, at most `points` points",
        tags,
        querystring: PerformanceCurveQuerySchema,
        response: {
          200: PerformanceCurveResponseSchema.describe('the curve, oldest point first'),
          ...errorResponses(),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await findPerformanceCurve(deps, { principal: req.principal, query: req.query }),
    }),
  );
}
