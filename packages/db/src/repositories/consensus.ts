// The consensus of an owner's models per series and bar: written by the orchestrator (and its outbox), immutable once
// its bar has closed, like a signal.
import type { ConsensusPayload, MarketplaceConsensus, StoredConsensus } from '@neuronetiq/contracts';
import type { Queryable } from '../client';
import { receipt, seriesFilter, type WriteOptions, type WriteOutcome, write } from './latest-writes';

// See ./signals.ts for how the upsert and the classification of skipped rows work; these are their consensus forms.
const UPSERT_CONSENSUS = `WITH w AS (
INSERT INTO ml.consensus_latest AS c
  (owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta, received_at, late, updated_at)
SELECT owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta, received_at, late, received_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::numeric[], $7::jsonb[], $8::jsonb[],
            $9::boolean[], $10::timestamptz[])
  AS t(owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta, late, received_at)
ON CONFLICT (owner, symbol, timeframe, bar_ts) DO UPDATE
  SET decision = excluded.decision, confidence = excluded.confidence, contributors = excluded.contributors,
      meta = excluded.meta, received_at = excluded.received_at, updated_at = excluded.received_at, backfilled = false
  WHERE NOT excluded.late
    AND (c.decision, c.confidence, c.contributors, c.meta)
        IS DISTINCT FROM (excluded.decision, excluded.confidence, excluded.contributors, excluded.meta)
RETURNING 1) SELECT count(*)::int AS n FROM w`;

const SKIPPED_CONSENSUS = `
SELECT (i.ord - 1)::int AS idx,
       (c.decision, c.confidence, c.contributors, c.meta) = (i.decision, i.confidence, i.contributors, i.meta) AS same
FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::numeric[], $7::jsonb[], $8::jsonb[])
  WITH ORDINALITY AS i(owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta, ord)
JOIN ml.consensus_latest c USING (owner, symbol, timeframe, bar_ts)
WHERE c.xmin <> pg_current_xact_id()::xid`;

// The reads select exactly the wire shape (`StoredConsensus` of @neuronetiq/contracts).
const CONSENSUS_COLUMNS = `owner, symbol, timeframe, bar_ts, decision, confidence::float8 AS confidence, contributors,
  meta, received_at, late`;

/** The payloads as the statements' unnest arrays: owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta. */
const payloadColumns = (rows: readonly ConsensusPayload[]) => [
  rows.map((r) => r.owner),
  rows.map((r) => r.symbol),
  rows.map((r) => r.timeframe),
  rows.map((r) => r.bar_ts),
  rows.map((r) => r.decision),
  rows.map((r) => String(r.confidence)),
  rows.map((r) => JSON.stringify(r.contributors)),
  rows.map((r) => JSON.stringify(r.meta)),
];

export const consensusRepository = {
  async store(
    tx: Queryable,
    rows: readonly ConsensusPayload[],
    { receivedAtMs }: WriteOptions,
  ): Promise<WriteOutcome[]> {
    if (rows.length === 0) return [];
    const columns = payloadColumns(rows);
    const tail = receipt(rows, receivedAtMs);
    return write(tx, { upsert: UPSERT_CONSENSUS, skipped: SKIPPED_CONSENSUS }, columns, tail, rows.length);
  },

  storeBackfilled: storeBackfilledConsensus,

  async find(
    tx: Queryable,
    q: { symbol?: string; tf?: string; from?: string; to?: string; limit: number; owner?: string },
    /**
     * Only the caller's own rows (GET /api/consensus): RLS also lets anyone read other owners' public consensus
     * once it is older than the platform's delay, which is what ml.visible_consensus is for.
     */
    options: { ownOnly?: boolean } = {},
  ): Promise<StoredConsensus[]> {
    const params: unknown[] = [];
    const where = seriesFilter(q, params);
    if (q.owner) where.push(`owner = $${params.push(q.owner)}`);
    if (options.ownOnly) where.push('owner = (SELECT app.request_owner())');
    const sql = `SELECT ${CONSENSUS_COLUMNS} FROM ml.consensus_latest
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY bar_ts DESC LIMIT $${params.push(q.limit)}`;
    return tx.query<StoredConsensus>(sql, params);
  },

  /**
   * One series' consensus rows as the caller of `tx` may read them (ml.visible_consensus: its own live; others' of
   * public models only, live for a subscriber of every contributor, else once older than the platform's delay),
   * newest bar first, and that delay in seconds.
   */
  async findVisible(
    tx: Queryable,
    q: { symbol: string; tf: string; from?: string; to?: string; limit: number; owner?: string },
  ): Promise<{ rows: MarketplaceConsensus[]; delaySeconds: number }> {
    const params: unknown[] = [];
    const where = seriesFilter(q, params);
    if (q.owner) where.push(`owner = $${params.push(q.owner)}`);
    const rows = await tx.query<MarketplaceConsensus>(
      `SELECT ${CONSENSUS_COLUMNS}, live FROM ml.visible_consensus WHERE ${where.join(' AND ')}
       ORDER BY bar_ts DESC, owner LIMIT $${params.push(q.limit)}`,
      params,
    );
    const [delay] = await tx.query<{ s: number }>('SELECT app.signal_delay_seconds() AS s');
    return { rows, delaySeconds: delay?.s ?? 0 };
  },
};

/**
 * Stores the consensus a backfill run computed over history (`meta.backfilled` true): flagged `backfilled`, received
 * at its bar's open like the backfilled signals it was computed from, readable at once under the public-models rule
 * and sent to no live stream. A consensus already stored for the same bar (a live one above all) is left alone.
 * Returns how many were stored.
 */
async function storeBackfilledConsensus(tx: Queryable, rows: readonly ConsensusPayload[]): Promise<number> {
  if (rows.length === 0) return 0;
  const [row] = await tx.query<{ n: number }>(
    `WITH w AS (
       INSERT INTO ml.consensus_latest AS c
         (owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta, received_at, late, updated_at,
          backfilled)
       SELECT owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta, bar_ts, false, bar_ts, true
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::numeric[], $7::jsonb[],
                   $8::jsonb[]) AS t(owner, symbol, timeframe, bar_ts, decision, confidence, contributors, meta)
       ON CONFLICT (owner, symbol, timeframe, bar_ts) DO NOTHING
       RETURNING 1)
     SELECT count(*)::int AS n FROM w`,
    payloadColumns(rows),
  );
  return row?.n ?? 0;
}
