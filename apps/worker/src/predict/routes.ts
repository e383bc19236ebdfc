import type { PredictBatchResponse, PredictResponse, SeriesPredictions } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import type { WorkerContext } from '../http/context';
import { parsePredictBatchRequest, parsePredictRequest } from '../validation/parse-request';
import { predictSeries } from './predict-series';

export function registerPredictRoutes(app: FastifyInstance, ctx: WorkerContext): void {
  app.post('/v1/predict', async (request): Promise<PredictResponse> => {
    const series = parsePredictRequest(request.body, ctx.limits, ctx.registry);
    const result = predictSeries({ series, registry: ctx.registry });
    count(ctx, [result], series.columns.close.length);
    return { success: true, ...result };
  });

  app.post('/v1/predict/batch', async (request): Promise<PredictBatchResponse> => {
    const seriesList = parsePredictBatchRequest(request.body, ctx.limits, ctx.registry);
    const results = seriesList.map((series) => predictSeries({ series, registry: ctx.registry }));
    count(
      ctx,
      results,
      seriesList.reduce((sum, s) => sum + s.columns.close.length, 0),
    );
    return { success: true, results };
  });
}

/** Tallies per request first: one counter update per (model, outcome), not one per prediction. */
function count(ctx: WorkerContext, results: readonly SeriesPredictions[], bars: number): void {
  const tally = new Map<string, { model: string; outcome: string; n: number }>();
  for (const result of results) {
    for (const p of result.predictions) {
      const outcome = 'error' in p ? p.error : p.decision;
      const key = `${p.model_id}\u0000${outcome}`;
      const entry = tally.get(key);
      if (entry) entry.n++;
      else tally.set(key, { model: p.model_id, outcome, n: 1 });
    }
  }
  for (const { model, outcome, n } of tally.values()) ctx.metrics.predictions.inc({ model, outcome }, n);
  ctx.metrics.series.inc(results.length);
  ctx.metrics.bars.inc(bars);
}
