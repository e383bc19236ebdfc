import type { PerformanceMetrics, PerformanceMetricsQuery } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

/**
 * Figures per model or vendor (docs/metrics.md) over a period ending now: anyone sees public models', an owner also
 * their private ones, the service all (RLS on ml.signal_scores and ml.visible_signal_counts decide).
 */
export async function findPerformanceMetrics(
  deps: ApiDeps,
  req: { principal: Principal; query: PerformanceMetricsQuery },
): Promise<{ rows: PerformanceMetrics[]; total: number }> {
  return deps.db.asRequest(readContext(req.principal), (tx) =>
    repos.metrics.find(tx, { ...req.query, nowMs: deps.now() }),
  );
}
