import type { PerformanceQuery, TrackRecord } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

/**
 * Track records: anyone sees those of public models, an owner also sees their private ones, the service sees all
 * (RLS on ml.signal_outcomes decides; the api adds nothing to it).
 */
export async function findPerformance(
  deps: ApiDeps,
  req: { principal: Principal; query: PerformanceQuery },
): Promise<TrackRecord[]> {
  return deps.db.asRequest(readContext(req.principal), (tx) => repos.performance.find(tx, req.query));
}
