import type { StreamEvent, StreamEventType } from '@neuronetiq/contracts';
import type { DbRole, Queryable } from '../client';

/** Channel on which the event log's triggers announce a commit (one NOTIFY per transaction). */
export const EVENT_LOG_CHANNEL = 'app_event_log';

/**
 * The log's ids above `after` (at most `limit`) and its newest id, the transactions running at that snapshot, and
 * those that write the log (they hold its RowExclusiveLock until they end; read after the snapshot, in the same
 * statement). A missing id can only belong to one of those writers, so a tail waits for them alone, not for every
 * transaction of the cluster. Transaction ids are compared modulo 2^32 (pg_locks shows 32-bit ids, snapshots 64-bit).
 */
export interface EventLogScan {
  ids: number[];
  maxId: number;
  running: Set<string>;
  writers: Set<string>;
}

const xid32 = (v: string) => (BigInt(v) % 4294967296n).toString();

async function scanEventLog(db: Queryable, after: number, limit: number): Promise<EventLogScan> {
  const [row] = await db.query<{
    snap: string;
    ids: (string | number)[] | null;
    max_id: number;
    writers: string[] | null;
  }>(
    `SELECT pg_current_snapshot()::text AS snap,
            (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM app.event_log WHERE id > $1 ORDER BY id LIMIT $2) t)
              AS ids,
            (SELECT coalesce(max(id), 0) FROM app.event_log) AS max_id,
            (SELECT array_agg(DISTINCT x.transactionid::text)
             FROM pg_locks r JOIN pg_locks x ON x.pid = r.pid AND x.locktype = 'transactionid'
             WHERE r.locktype = 'relation' AND r.relation = 'app.event_log'::regclass
               AND r.mode = 'RowExclusiveLock') AS writers`,
    [after, limit],
  );
  const xip = (row?.snap ?? '').split(':')[2] ?? '';
  return {
    ids: (row?.ids ?? []).map(Number),
    maxId: Number(row?.max_id ?? 0),
    running: new Set(xip ? xip.split(',').map(xid32) : []),
    writers: new Set((row?.writers ?? []).map(xid32)),
  };
}

/** Deletes log rows older than `keepMs`; returns how many. Run as the connecting user or the service role. */
async function trimEventLog(db: Queryable, keepMs: number): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `WITH d AS (DELETE FROM app.event_log WHERE at < now() - make_interval(secs => $1) RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [keepMs / 1000],
  );
  return row?.n ?? 0;
}

export interface EventLogRead {
  after: number;
  /** Highest id the reader may hand out (every id up to it is committed or known rolled back). */
  upto: number;
  limit: number;
  symbol?: string | undefined;
  tf?: string | undefined;
  types?: readonly StreamEventType[] | undefined;
  /**
   * The role the surrounding transaction runs as: `anon` is never entitled to a live consensus (it reads only rows
   * older than the platform's delay, which the log of fresh writes does not bring), so it is not joined.
   */
  role: DbRole;
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SIGNAL_DATA = `(SELECT json_build_object('owner', s.owner, 'model_id', s.model_id, 'symbol', s.symbol,
    'timeframe', s.timeframe, 'bar_ts', ${ISO('s.bar_ts')}, 'decision', s.decision,
    'confidence', s.confidence::float8, 'meta', s.meta, 'received_at', ${ISO('s.received_at')}, 'late', s.late,
    'backfilled', s.backfilled)
  FROM ml.visible_signals s
  WHERE k.type = 'signal' AND s.owner = k.owner AND s.model_id = k.model_id AND s.symbol = k.symbol
    AND s.timeframe = k.timeframe AND s.bar_ts = k.bar_ts)`;
const CONSENSUS_DATA = `(SELECT json_build_object('owner', c.owner, 'symbol', c.symbol, 'timeframe', c.timeframe,
    'bar_ts', ${ISO('c.bar_ts')}, 'decision', c.decision, 'confidence', c.confidence::float8,
    'contributors', c.contributors, 'meta', c.meta, 'received_at', ${ISO('c.received_at')}, 'late', c.late)
  FROM ml.visible_consensus c
  WHERE k.type = 'consensus' AND c.owner = k.owner AND c.symbol = k.symbol AND c.timeframe = k.timeframe
    AND c.bar_ts = k.bar_ts)`;
const BAR_DATA = `(SELECT json_build_object('symbol', b.symbol, 'timeframe', b.timeframe, 'bar_ts', ${ISO('b.bar_ts')},
    'open', b.open::float8, 'high', b.high::float8, 'low', b.low::float8, 'close', b.close::float8,
    'volume', b.volume::float8)
  FROM market.ohlcv b
  WHERE k.type = 'bar' AND b.symbol = k.symbol AND b.timeframe = k.timeframe AND b.bar_ts = k.bar_ts)`;

/**
 * The events in (after, upto] that the caller of `tx` may read, in id order, each row as its read endpoint returns it.
 * Visibility is the source tables' own, evaluated in the caller's context: ml.visible_signals, ml.visible_consensus
 * and RLS on market.ohlcv. `scannedTo` is where the next read starts (below `upto` when `limit` log rows
 * were read).
 */
async function readEventLog(tx: Queryable, q: EventLogRead): Promise<{ events: StreamEvent[]; scannedTo: number }> {
  const params: unknown[] = [q.after, q.upto];
  const where = ['id > $1', 'id <= $2'];
  if (q.symbol) where.push(`symbol = $${params.push(q.symbol)}`);
  if (q.tf) where.push(`timeframe = $${params.push(q.tf)}`);
  const types = (q.types ?? ['signal', 'consensus', 'bar']).filter((t) => t !== 'consensus' || q.role !== 'anon');
  where.push(`type = ANY (string_to_array($${params.push(types.join(','))}, ','))`);
  const sources = [SIGNAL_DATA, ...(types.includes('consensus') ? [CONSENSUS_DATA] : []), BAR_DATA];
  const [row] = await tx.query<{ scanned: number | null; n: number; events: StreamEvent[] | null }>(
    `WITH e AS (
       SELECT id, type, owner, symbol, timeframe, model_ids, bar_ts, at FROM app.event_log
       WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.push(q.limit)}
     ), k AS (
       SELECT e.id, e.type, e.owner, e.symbol, e.timeframe, e.at, u.model_id, u.bar_ts, u.ord
       FROM e CROSS JOIN LATERAL unnest(coalesce(e.model_ids, '{}'::text[]), e.bar_ts) WITH ORDINALITY
         AS u(model_id, bar_ts, ord)
       WHERE u.bar_ts IS NOT NULL
     ), d AS (
       SELECT k.id, k.ord, k.type, k.at, coalesce(${sources.join(', ')}) AS data FROM k
     )
     SELECT (SELECT max(id) FROM e) AS scanned, (SELECT count(*) FROM e)::int AS n,
            (SELECT json_agg(json_build_object('id', d.id, 'type', d.type, 'at', ${ISO('d.at')}, 'data', d.data)
                             ORDER BY d.id, d.ord)
             FROM d WHERE d.data IS NOT NULL) AS events`,
    params,
  );
  const scannedTo = row && row.n >= q.limit && row.scanned !== null ? Number(row.scanned) : q.upto;
  return { events: row?.events ?? [], scannedTo };
}

/** The event log: its scan and trim (the stream's tail, the cron) and its reads under RLS. */
export const eventLogRepository = { scan: scanEventLog, trim: trimEventLog, read: readEventLog };
