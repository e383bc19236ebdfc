import type { CurvePoint, PerformanceCurveQuery } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

/** A model's (or vendor's) equity, drawdown and running hit rate over a period ending now, under the caller's RLS. */
export async function findPerformanceCurve(
  deps: ApiDeps,
  req: { principal: Principal; query: PerformanceCurveQuery },
): Promise<CurvePoint[]> {
  return deps.db.asRequest(readContext(req.principal), (tx) =>
    repos.metrics.curve(tx, { ...req.query, nowMs: deps.now() }),
  );
}
