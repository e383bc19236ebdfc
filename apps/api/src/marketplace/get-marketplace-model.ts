import type { MarketplaceModelDetail, MarketplaceModelQuery, TrackRecordSummary, Vendor } from '@neuronetiq/contracts';
import { PerformanceCurveQuerySchema } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { statsByPeriod } from '../performance/stats-by-period';
import { toMarketplaceModel } from './find-marketplace-models';

/**
 * One model's page: the model, its vendor, its series, its track record per series (live and backfilled apart), its
 * newest signals (live to subscribers, delayed to others: ml.visible_signals), its figures per period and horizon,
 * its equity and drawdown curve, its price and the delay non-subscribers wait. A private model exists only for its owner; anyone else gets the same 404 as for no model.
 */
export async function getMarketplaceModel(
  deps: ApiDeps,
  req: { principal: Principal; owner: string; modelId: string; query: MarketplaceModelQuery },
): Promise<MarketplaceModelDetail> {
  return deps.db.asRequest(readContext(req.principal), async (tx) => {
    const row = await repos.marketplace.get(tx, req.owner, req.modelId);
    if (!row) {
      throw new AppError('NOT_FOUND', { message: `no model "${req.modelId}" of owner "${req.owner}"` });
    }
    const nowMs = deps.now();
    const [vendors, records, signals, stats, curve, price, delaySeconds] = [
      await repos.marketplace.vendors(tx, [row.owner]),
      await repos.marketplace.seriesRecords(tx, row.owner, row.model_id),
      await repos.marketplace.latestSignals(tx, row.owner, row.model_id, req.query.signals),
      await statsByPeriod(tx, { owner: row.owner, modelId: row.model_id, nowMs }),
      await repos.metrics.curve(tx, {
        ...PerformanceCurveQuerySchema.parse({
          owner: row.owner,
          model_id: row.model_id,
          period: req.query.window,
          horizon: String(req.query.horizon),
          source: req.query.source,
        }),
        nowMs,
      }),
      await repos.subscriptions.priceAt(tx, row.owner, row.model_id, nowMs),
      await repos.marketplace.signalDelaySeconds(tx),
    ];
    const summary = (r: TrackRecordSummary): TrackRecordSummary => ({
      scored: r.scored,
      resolved: r.resolved,
      hits: r.hits,
      hit_rate: r.hit_rate,
      mean_return: r.mean_return,
      backfilled: r.backfilled,
    });
    return {
      ...toMarketplaceModel(row, vendors.get(row.owner) as Vendor),
      visibility: row.visibility,
      track_record_live: summary(row.live),
      track_record_backfilled: summary(row.backfilled),
      track_records: records,
      latest_signals: signals,
      stats,
      curve,
      price_pence: price,
      delay_seconds: delaySeconds,
    };
  });
}
