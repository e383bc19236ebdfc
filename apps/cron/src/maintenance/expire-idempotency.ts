import { type Db, repos } from '@neuronetiq/db';

/** Idempotency records are kept 24 h (IETF httpapi draft: a key is only meaningful for retries of one request). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes idempotency records older than `maxAgeMs`; returns how many. */
export async function expireIdempotencyRecords(db: Db, maxAgeMs: number = IDEMPOTENCY_RETENTION_MS): Promise<number> {
  return repos.idempotency.expire(db, maxAgeMs);
}
