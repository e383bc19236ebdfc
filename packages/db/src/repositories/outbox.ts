import type { OutboxItem, OutboxKind } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

export type { OutboxItem, OutboxKind };

const COLUMNS = 'id, kind, payload, idempotency_key, attempts, next_attempt_at, last_error, status, created_at';

export const outboxRepository = {
  /** Parks an item that could not be delivered; the same (kind, key) twice is kept once. */
  async enqueue(
    tx: Queryable,
    item: { kind: OutboxKind; payload: unknown; idempotencyKey: string; error?: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ml.ingest_outbox (kind, payload, idempotency_key, last_error) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind, idempotency_key) DO NOTHING`,
      [item.kind, JSON.stringify(item.payload), item.idempotencyKey, item.error ?? null],
    );
  },

  /**
   * Leases up to `limit` due items for `leaseMs`: rows are picked with FOR UPDATE SKIP LOCKED and their
   * next_attempt_at pushed past the lease in the same statement, so two drainers never get the same item.
   */
  async lease(tx: Queryable, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    return tx.query<OutboxItem>(
      `UPDATE ml.ingest_outbox o SET next_attempt_at = now() + make_interval(secs => $2 / 1000.0), updated_at = now()
       WHERE o.id IN (
         SELECT id FROM ml.ingest_outbox WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS.split(', ')
         .map((c) => `o.${c}`)
         .join(', ')}`,
      [limit, leaseMs],
    );
  },

  async complete(tx: Queryable, id: number): Promise<void> {
    await tx.query('DELETE FROM ml.ingest_outbox WHERE id = $1', [id]);
  },

  /** Records a failed attempt: retry after `retryInMs`, or dead-letter it when `dead`. */
  async fail(tx: Queryable, id: number, failure: { error: string; retryInMs: number; dead: boolean }): Promise<void> {
    await tx.query(
      `UPDATE ml.ingest_outbox SET attempts = attempts + 1, last_error = left($2, 2000),
         status = CASE WHEN $4 THEN 'dead' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => $3 / 1000.0), updated_at = now()
       WHERE id = $1`,
      [id, failure.error, failure.retryInMs, failure.dead],
    );
  },

  async list(tx: Queryable, q: { status?: 'pending' | 'dead'; limit: number }) {
    const params: unknown[] = [];
    const where = q.status ? `WHERE status = $${params.push(q.status)}` : '';
    return tx.query<OutboxItem>(
      `SELECT ${COLUMNS} FROM ml.ingest_outbox ${where} ORDER BY id LIMIT $${params.push(q.limit)}`,
      params,
    );
  },

  async counts(tx: Queryable): Promise<{ pending: number; dead: number }> {
    const rows = await tx.query<{ status: 'pending' | 'dead'; n: number }>(
      'SELECT status, count(*) AS n FROM ml.ingest_outbox GROUP BY status',
    );
    const out = { pending: 0, dead: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  },
};
