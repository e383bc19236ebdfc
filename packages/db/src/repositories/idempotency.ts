import type { Queryable } from '../client';

export interface IdempotencyRecord {
  request_hash: string;
  response_status: number;
  response_body: unknown;
}

/**
 * Idempotency-Key bookkeeping (IETF httpapi draft) through app.idempotency_claim/_save, which only the service role
 * may call. All calls run inside the request's transaction, so the record commits together with the write it
 * describes, or not at all.
 */
export const idempotencyRepository = {
  /**
   * Takes the key's transaction-scoped lock without waiting. False means another request with the same key is
   * in flight right now (answer 409). On success returns the stored record, if a previous request completed.
   */
  async claim(
    tx: Queryable,
    principal: string,
    key: string,
  ): Promise<{ locked: false } | { locked: true; record: IdempotencyRecord | null }> {
    const [row] = await tx.query<{
      locked: boolean;
      request_hash: string | null;
      response_status: number | null;
      response_body: unknown;
    }>('SELECT locked, request_hash, response_status, response_body FROM app.idempotency_claim($1, $2)', [
      principal,
      key,
    ]);
    if (!row?.locked) return { locked: false };
    return {
      locked: true,
      record:
        row.request_hash === null
          ? null
          : {
              request_hash: row.request_hash,
              response_status: row.response_status as number,
              response_body: row.response_body,
            },
    };
  },

  /** Records the response; with `commit`, as the request transaction's last statement. */
  async save(
    tx: Queryable,
    principal: string,
    key: string,
    record: IdempotencyRecord,
    options: { commit?: boolean } = {},
  ): Promise<void> {
    await tx.query(
      'SELECT app.idempotency_save($1, $2, $3, $4, $5::jsonb)',
      [principal, key, record.request_hash, record.response_status, JSON.stringify(record.response_body ?? null)],
      options,
    );
  },

  /** Forgets records older than `maxAgeMs` (the cron runs it); returns how many. */
  async expire(tx: Queryable, maxAgeMs: number): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `WITH d AS (DELETE FROM app.idempotency_keys WHERE created_at < now() - make_interval(secs => $1 / 1000.0)
       RETURNING 1) SELECT count(*) AS n FROM d`,
      [maxAgeMs],
    );
    return rows[0]?.n ?? 0;
  },
};
