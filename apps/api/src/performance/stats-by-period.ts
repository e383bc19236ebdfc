import { METRIC_PERIODS, type PerformanceMetrics, PerformanceMetricsQuerySchema } from '@neuronetiq/contracts';
import { type Queryable, repos } from '@neuronetiq/db';

/**
 * A model's (or, without modelId, a vendor's) live figures for every period and scored horizon, in the caller's
 * transaction (RLS decides what counts). Periods or horizons without a resolved signal are left out.
 */
export async function statsByPeriod(
  tx: Queryable,
  q: { owner: string; modelId?: string; nowMs: number },
): Promise<PerformanceMetrics[]> {
  const out: PerformanceMetrics[] = [];
  for (const horizon of await repos.metrics.horizons(tx)) {
    for (const period of METRIC_PERIODS) {
      const query = PerformanceMetricsQuerySchema.parse({
        group: q.modelId ? 'model' : 'vendor',
        period,
        horizon: String(horizon),
        owner: q.owner,
        ...(q.modelId ? { model_id: q.modelId } : {}),
      });
      const { rows } = await repos.metrics.find(tx, { ...query, nowMs: q.nowMs });
      out.push(...rows);
    }
  }
  return out;
}
