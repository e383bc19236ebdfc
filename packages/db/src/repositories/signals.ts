import type { SignalPayload, SignalsQuery, StoredSignal } from '@neuronetiq/contracts';
import type { Queryable } from '../client';
import type { IdempotencyRecord } from './idempotency';
import { receipt, seriesFilter, type WriteOptions, type WriteOutcome } from './latest-writes';

// A batch is one call of app.store_signals (see its migration): the multi-row upsert, then the classification of the
// rows it skipped, as unchanged (identical: a harmless retry) or immutable (different after the close). Its rows travel
// as one JSON text, a scalar, so that inside a request transaction the call rides with BEGIN (and with `commit`, the
// COMMIT): one round trip.
const STORE_SIGNALS = 'SELECT idx, same FROM app.store_signals($1::jsonb)';

// The reads select exactly the wire shapes (`StoredSignal`, `StoredConsensus` of @neuronetiq/contracts): timestamps
// come back as ISO-8601 UTC strings (see ../client) and confidence as float8.
const SIGNAL_COLUMNS = `owner, model_id, symbol, timeframe, bar_ts, decision, confidence::float8 AS confidence, meta,
  received_at, late`;

/** One row as app.store_signals and app.store_signal_group read it from their JSON. */
const inputRow = (s: SignalPayload, late: boolean, receivedAt: string) => ({
  owner: s.owner,
  model_id: s.model_id,
  symbol: s.symbol,
  timeframe: s.timeframe,
  bar_ts: s.bar_ts,
  decision: s.decision,
  confidence: s.confidence,
  meta: s.meta,
  late,
  received_at: receivedAt,
});

/** What became of one single-signal request of a group (see `storeGroup`). */
export type GroupWriteResult =
  | { result: WriteOutcome }
  /** Another request with the key is in flight. */
  | { result: 'in_flight' }
  /** A completed request used the key: its record, for a replay or a 422. */
  | { result: 'recorded'; record: IdempotencyRecord };

const STORE_GROUP = `SELECT idx, result, request_hash, response_status, response_body
FROM app.store_signal_group($1, $2::jsonb)`;

export const signalRepository = {
  /**
   * Stores signals in one call (rows must have distinct keys). Returns one outcome per row, in order.
   * Late rows (bar already closed at `receivedAtMs`) are kept and flagged. With `commit` the call is the request
   * transaction's last statement and the COMMIT travels with it.
   */
  async store(
    tx: Queryable,
    rows: readonly SignalPayload[],
    { receivedAtMs, commit }: WriteOptions & { commit?: boolean },
  ): Promise<WriteOutcome[]> {
    if (rows.length === 0) return [];
    const [late, receivedAt] = receipt(rows, receivedAtMs);
    const json = JSON.stringify(rows.map((r, i) => inputRow(r, late[i] as boolean, receivedAt[i] as string)));
    const outcomes: WriteOutcome[] = rows.map(() => 'stored');
    for (const r of await tx.query<{ idx: number; same: boolean }>(STORE_SIGNALS, [json], {
      commit: commit === true,
    })) {
      outcomes[r.idx] = r.same ? 'unchanged' : 'immutable';
    }
    return outcomes;
  },

  /**
   * Writes the signals of several single-signal requests of one principal in one statement (see the migration
   * `store_signal_group`): each request's Idempotency-Key is claimed, its row written unless the key is in flight
   * or recorded, and the key recorded when the row is stored or unchanged. Keys and natural keys must be distinct.
   * Its parameters are scalars, so with `commit` the whole transaction is one round trip.
   */
  async storeGroup(
    tx: Queryable,
    principal: string,
    items: readonly { signal: SignalPayload; receivedAtMs: number; key?: string | undefined; hash?: string }[],
    options: { commit?: boolean } = {},
  ): Promise<GroupWriteResult[]> {
    const [late, receivedAt] = receipt(
      items.map((i) => i.signal),
      items.map((i) => i.receivedAtMs),
    );
    const payload = items.map(({ signal, key, hash }, i) => ({
      ...inputRow(signal, late[i] as boolean, receivedAt[i] as string),
      ...(key === undefined ? {} : { key, hash }),
    }));
    const rows = await tx.query<{
      idx: number;
      result: WriteOutcome | 'in_flight' | 'recorded';
      request_hash: string | null;
      response_status: number | null;
      response_body: unknown;
    }>(STORE_GROUP, [principal, JSON.stringify(payload)], options);
    if (rows.length !== items.length) throw new Error(`store_signal_group answered ${rows.length} of ${items.length}`);
    return rows.map((r) =>
      r.result === 'recorded'
        ? {
            result: 'recorded',
            record: {
              request_hash: r.request_hash as string,
              response_status: r.response_status as number,
              response_body: r.response_body,
            },
          }
        : { result: r.result },
    );
  },

  /** Signals visible to the caller of `tx` (RLS decides which owners), newest bar first. */
  async find(tx: Queryable, q: SignalsQuery & { owner?: string }): Promise<StoredSignal[]> {
    const params: unknown[] = [];
    const where = seriesFilter(q, params);
    if (q.owner) where.push(`owner = $${params.push(q.owner)}`);
    if (q.model_id) where.push(`model_id = $${params.push(q.model_id)}`);
    const sql = `SELECT ${SIGNAL_COLUMNS} FROM ml.signals_latest ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY bar_ts DESC, model_id LIMIT $${params.push(q.limit)}`;
    return tx.query<StoredSignal>(sql, params);
  },
  storeBackfilled: storeBackfilledSignals,
  newestBackfilledBar,
  totals: storedTotals,
};

/**
 * Stores signals a backfill run computed over history: flagged `backfilled`, received "on time" at their bar's open
 * (a simulated call, made when the bar opened), so they score like live calls and are always shown apart. A signal
 * already stored for the same key (a live one above all) is left alone. Returns how many were stored.
 */
async function storeBackfilledSignals(tx: Queryable, rows: readonly SignalPayload[]): Promise<number> {
  if (rows.length === 0) return 0;
  const [row] = await tx.query<{ n: number }>(
    `WITH w AS (
       INSERT INTO ml.signals_latest AS s
         (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, received_at, late, backfilled)
       SELECT owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, bar_ts, false, true
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::numeric[],
                   $8::jsonb[]) AS t(owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta)
       ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts) DO NOTHING
       RETURNING 1)
     SELECT count(*)::int AS n FROM w`,
    [
      rows.map((r) => r.owner),
      rows.map((r) => r.model_id),
      rows.map((r) => r.symbol),
      rows.map((r) => r.timeframe),
      rows.map((r) => r.bar_ts),
      rows.map((r) => r.decision),
      rows.map((r) => String(r.confidence)),
      rows.map((r) => JSON.stringify(r.meta)),
    ],
  );
  return row?.n ?? 0;
}

/** Bar time of the newest backfilled signal of an owner on a series, or null: where a backfill run resumes. */
async function newestBackfilledBar(
  tx: Queryable,
  q: { owner: string; symbol: string; timeframe: string },
): Promise<string | null> {
  const [row] = await tx.query<{ bar_ts: string | null }>(
    `SELECT max(bar_ts) AS bar_ts FROM ml.signals_latest
     WHERE owner = $1 AND symbol = $2 AND timeframe = $3 AND backfilled`,
    [q.owner, q.symbol, q.timeframe],
  );
  return row?.bar_ts ?? null;
}

/** How many signals and consensus rows are stored, and the newest signal's bar: `npm start`'s progress line. */
async function storedTotals(db: Queryable): Promise<{ signals: number; consensus: number; latest: string | null }> {
  const [row] = await db.query<{ signals: number; consensus: number; latest: string | null }>(
    `SELECT (SELECT count(*) FROM ml.signals_latest)::int AS signals,
            (SELECT count(*) FROM ml.consensus_latest)::int AS consensus,
            (SELECT max(bar_ts) FROM ml.signals_latest) AS latest`,
  );
  return row ?? { signals: 0, consensus: 0, latest: null };
}
