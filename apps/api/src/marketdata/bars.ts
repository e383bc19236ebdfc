import type {
  ErrorDetail,
  OhlcvBar,
  OhlcvMultiQuery,
  OhlcvQuery,
  OhlcvUpsertResponse,
  StoredBar,
} from '@neuronetiq/contracts';
import { OhlcvBarSchema, zodIssuesToDetails } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { validationError } from '../errors';
import { assertNoBarInFuture } from '../writes/bar-in-future';

export async function findBars(deps: ApiDeps, req: { principal: Principal; query: OhlcvQuery }): Promise<StoredBar[]> {
  return deps.db.asRequest(readContext(req.principal), (tx) => repos.ohlcv.find(tx, req.query));
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
  const rows = await deps.db.asRequest(readContext(req.principal), (tx) => repos.ohlcv.findManyJson(tx, req.query));
  const series = rows.map(
    (r) => `{"symbol":${JSON.stringify(r.symbol)},"tf":${JSON.stringify(r.tf)},"bars":${r.bars}}`,
  );
  return `{"success":true,"data":[${series.join(',')}]}`;
}

export type UpsertBarsResult = OhlcvUpsertResponse;

/**
 * POST /api/marketdata/ohlcv: validates every bar first; one bad bar (or two different bars for one time) is a 400
 * naming each, a bar more than one bar ahead of now a 422 BAR_IN_FUTURE, and nothing of a refused upload is stored.
 * Otherwise the bars are stored in one statement (a repeated identical bar once).
 */
export async function upsertBars(deps: ApiDeps, req: { items: readonly unknown[] }): Promise<UpsertBarsResult> {
  const invalid: ErrorDetail[] = [];
  const byKey = new Map<string, { index: number; bar: OhlcvBar }>();
  req.items.forEach((item, index) => {
    const parsed = OhlcvBarSchema.safeParse(item);
    if (!parsed.success) {
      invalid.push(...zodIssuesToDetails(parsed.error, item, ['bars', index]));
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
      invalid.push({
        path: `bars.${index}.bar_ts`,
        message: `bars.${first.index} has the same symbol, timeframe and bar_ts with other values; send one bar per time`,
      });
    }
  });
  if (invalid.length > 0) {
    const first = invalid[0] as ErrorDetail;
    throw validationError(
      `bars are invalid, so none was stored (${first.path}: ${first.message}${invalid.length > 1 ? `, and ${invalid.length - 1} more` : ''})`,
      invalid,
    );
  }
  const entries = [...byKey.values()];
  assertNoBarInFuture(
    entries.map((e) => e.bar),
    deps.now(),
    (i) => `bars.${entries[i]?.index}.bar_ts`,
  );
  const bars = entries.map((e) => e.bar);
  const written = await deps.db.asRequest({ role: 'service_role', claims: {} }, (tx) => repos.ohlcv.upsert(tx, bars));
  deps.metrics.barsStored.inc(written);
  return { success: true, received: req.items.length, accepted: req.items.length, written, rejected: [] };
}
