import type { Queryable } from '../client';

/** A range of 1m bars of one symbol written since it was last rolled up (see market.rollup_dirty). */
export interface DirtyRange {
  id: number;
  symbol: string;
  /** bar_ts of the first and of the last 1m bar written (both included). */
  from_ts: string;
  to_ts: string;
}

/**
 * The 1m ranges that a trigger on market.ohlcv records for the roll-up (corrected, late and re-imported 1m bars). A
 * roll-up pass claims ranges for a lease, rolls them up, then deletes exactly the rows it claimed; if the roll-up
 * fails it releases them, and if the pass dies they become claimable again once the lease has passed. Ranges recorded
 * while a pass runs are new rows, never deleted by it.
 */
export const rollUpDirtyRepository = {
  /**
   * Claims up to `limit` unclaimed (or lease-expired) ranges, oldest first, for `leaseSeconds`; rows another pass
   * holds (claimed, or locked by its claim right now) are skipped, so two crons do not roll up the same range.
   */
  async claim(tx: Queryable, q: { limit: number; leaseSeconds: number }): Promise<DirtyRange[]> {
    return tx.query<DirtyRange>(
      `UPDATE market.rollup_dirty d SET claimed_until = now() + make_interval(secs => $2)
       WHERE d.id IN (SELECT c.id FROM market.rollup_dirty c
                      WHERE c.claimed_until IS NULL OR c.claimed_until <= now()
                      ORDER BY c.id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING d.id, d.symbol, d.from_ts, d.to_ts`,
      [q.limit, q.leaseSeconds],
    );
  },

  /** Deletes claimed ranges once they are rolled up; returns how many rows went. */
  async remove(tx: Queryable, ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await tx.query<{ n: number }>(
      `WITH d AS (DELETE FROM market.rollup_dirty WHERE id = ANY($1::bigint[]) RETURNING 1) SELECT count(*) AS n FROM d`,
      [ids],
    );
    return rows[0]?.n ?? 0;
  },

  /** Gives claimed ranges back (their roll-up failed): the next pass claims them again. */
  async release(tx: Queryable, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query('UPDATE market.rollup_dirty SET claimed_until = NULL WHERE id = ANY($1::bigint[])', [ids]);
  },

  /** Every recorded range, oldest first (tests, diagnostics). */
  async list(tx: Queryable): Promise<(DirtyRange & { claimed_until: string | null })[]> {
    return tx.query('SELECT id, symbol, from_ts, to_ts, claimed_until FROM market.rollup_dirty ORDER BY id');
  },
};
