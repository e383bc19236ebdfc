import type { OhlcvBar, OhlcvMultiQuery, OhlcvQuery, OhlcvUpsertResponse, StoredBar } from '@neuronetiq/contracts';
import { OhlcvBarSchema, zodIssuesToDetails } from '@neuronetiq/contracts';
import { createOhlcvRepository } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

export async function findBars(deps: ApiDeps, req: { principal: Principal; query: OhlcvQuery }): Promise<StoredBar[]> {
  const repo = createOhlcvRepository(deps.db);
  return deps.db.asRequest(readContext(req.principal), (tx) => repo.find(tx, req.query));
}

/**
 * POST /api/marketdata/ohlcv/query: many series' newest bars in one statement, in the order asked. Returns the JSON
 * response body itself (an `OhlcvSeriesResponse` of the contracts, `{ success, data: [{ symbol, tf, bars }] }`): the
 * bars arrive from the database as JSON text and are passed through.
 */
export async function findManyBarsJson(
  deps: ApiDeps,
  req: { principal: Principal; query: OhlcvMultiQuery },
): Promise<string> {
  const repo = createOhlcvRepository(deps.db);
  const rows = await deps.db.asRequest(readContext(req.principal), (tx) => repo.findManyJson(tx, req.query));
  const series = rows.map(
    (r) => `{"symbol":${JSON.stringify(r.symbol)},"tf":${JSON.stringify(r.tf)},"bars":${r.bars}}`,
  );
  return `{"success":true,"data":[${series.join(',')}]}`;
}

export type UpsertBarsResult = OhlcvUpsertResponse;

/** POST /api/marketdata/ohlcv: validates each bar, stores the good ones in one statement, reports bad ones by index. */
export async function upsertBars(deps: ApiDeps, req: { items: readonly unknown[] }): Promise<UpsertBarsResult> {
  const repo = createOhlcvRepository(deps.db);
  const rejected: UpsertBarsResult['rejected'] = [];
  const byKey = new Map<string, { index: number; bar: OhlcvBar }>();
  req.items.forEach((item, index) => {
    const parsed = OhlcvBarSchema.safeParse(item);
    if (!parsed.success) {
      rejected.push({ index, details: zodIssuesToDetails(parsed.error, item, ['bars', index]) });
      return;
    }
    const bar = parsed.data;
    const key = `${bar.symbol}\u0000${bar.timeframe}\u0000${bar.bar_ts}`;
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, { index, bar });
      return;
    }
    const same =
      first.bar.open === bar.open &&
      first.bar.high === bar.high &&
      first.bar.low === bar.low &&
      first.bar.close === bar.close &&
      first.bar.volume === bar.volume;
    if (!same) {
      rejected.push({
        index,
        details: [
          {
            path: `bars.${index}.bar_ts`,
            message: `bars.${first.index} has the same symbol, timeframe and bar_ts with other values; send one bar per time`,
          },
        ],
      });
    }
  });
  const bars = [...byKey.values()].map((v) => v.bar);
  const written = await deps.db.asRequest({ role: 'service_role', claims: {} }, (tx) => repo.upsert(bars, { tx }));
  deps.metrics.barsStored.inc(written);
  if (rejected.length) deps.metrics.validationFailures.inc({ code: 'VALIDATION_ERROR' }, rejected.length);
  return {
    success: rejected.length === 0,
    received: req.items.length,
    accepted: req.items.length - rejected.length,
    written,
    rejected: rejected.sort((a, b) => a.index - b.index),
  };
}
