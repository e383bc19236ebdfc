import type {
  MarketplaceModel,
  MarketplaceModelsQuery,
  MarketplaceModelsResponse,
  Vendor,
} from '@neuronetiq/contracts';
import { type MarketplaceModelRow, repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

/** The wire shape: the record shown is the live one when the model has live results, else the backfilled one. */
export function toMarketplaceModel(row: MarketplaceModelRow, vendor: Vendor): MarketplaceModel {
  return {
    owner: row.owner,
    model_id: row.model_id,
    name: row.name,
    description: row.description,
    vendor,
    series: row.series,
    signal_count: row.signal_count,
    last_signal_at: row.last_signal_at,
    track_record: row.live.scored > 0 ? row.live : row.backfilled,
    created_at: row.created_at,
  };
}

/** Public models, sorted, filtered and paged, with their vendors' attribution. Anyone may list them. */
export async function findMarketplaceModels(
  deps: ApiDeps,
  req: { principal: Principal; query: MarketplaceModelsQuery },
): Promise<MarketplaceModelsResponse> {
  return deps.db.asRequest(readContext(req.principal), async (tx) => {
    const q = req.query;
    const { rows, total } = await repos.marketplace.list(tx, { ...q, nowMs: deps.now() });
    const vendors = await repos.marketplace.vendors(
      tx,
      rows.map((r) => r.owner),
    );
    return {
      success: true as const,
      data: rows.map((r) => ({
        ...toMarketplaceModel(r, vendors.get(r.owner) as Vendor),
        metrics: r.metrics && { ...r.metrics, period: q.window, horizon_bars: q.horizon, source: q.source },
        window_signals: r.window_signals,
        provisional: r.metrics?.provisional ?? true,
        row_figures_as_of: r.row_figures_as_of,
      })),
      total,
    };
  });
}
