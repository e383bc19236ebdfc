import { type Db, repos } from '@neuronetiq/db';

/**
 * The event log behind GET /api/stream is kept 24 h by default: long enough for any client to resume after a drop
 * (a browser tab asleep overnight), short enough that the table stays small.
 */
export const EVENT_LOG_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes event log rows older than `keepMs`; returns how many. */
export async function trimEventLogRows(db: Db, keepMs: number = EVENT_LOG_RETENTION_MS): Promise<number> {
  return repos.eventLog.trim(db, keepMs);
}
