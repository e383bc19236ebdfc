import type { AuditEntry } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

/**
 * The audit log's entries visible to the caller of `tx` (RLS: the owner's own; the service role: all), newest first.
 * Rows are written only by triggers on app.api_keys and ml.models (migration 20261206020000).
 */
export const auditLogRepository = {
  async find(tx: Queryable, q: { owner?: string | undefined; limit: number }): Promise<AuditEntry[]> {
    return tx.query<AuditEntry>(
      `SELECT id, owner, action, principal, subject, detail, created_at FROM app.audit_log
       WHERE ($1::text IS NULL OR owner = $1) ORDER BY id DESC LIMIT $2`,
      [q.owner ?? null, q.limit],
    );
  },
};
