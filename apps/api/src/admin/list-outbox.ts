import type { OutboxListing, OutboxStatus } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { ApiDeps } from '../deps';

/** GET /api/admin/outbox: counts by status and the oldest items, dead letters with their last error. */
export async function listOutbox(
  deps: ApiDeps,
  query: { status?: OutboxStatus | undefined; limit: number },
): Promise<OutboxListing> {
  return deps.db.asRequest({ role: 'service_role', claims: {} }, async (tx) => ({
    counts: await repos.outbox.counts(tx),
    items: await repos.outbox.list(tx, { ...(query.status ? { status: query.status } : {}), limit: query.limit }),
  }));
}
