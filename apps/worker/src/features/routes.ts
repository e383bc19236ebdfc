import type { FeaturesResponse } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import type { WorkerContext } from '../http/context';
import { parseFeaturesRequest } from '../validation/parse-request';
import { computeFeatures } from './compute-features';

export function registerFeatureRoutes(app: FastifyInstance, ctx: WorkerContext): void {
  app.post('/v1/features', async (request): Promise<FeaturesResponse> => {
    const { series, indicators } = parseFeaturesRequest(request.body, ctx.limits);
    ctx.metrics.bars.inc(series.columns.close.length);
    const features = computeFeatures({ series, indicators });
    return {
      success: true,
      symbol: series.symbol,
      timeframe: series.timeframe,
      bar_ts: features.barTs,
      indicators: features.indicators,
    };
  });
}
