import { createOutboxRepository, type OutboxItem } from '@neuronetiq/db';
import type { ApiDeps } from '../deps';

export interface OutboxListing {
  counts: { pending: number; dead: number };
  items: OutboxItem[];
}

/** GET /api/admin/outbox: counts by status and the oldest items, dead letters with their last error. */
export async function listOutbox(
  deps: ApiDeps,
  query: { status?: 'pending' | 'dead' | undefined; limit: number },
): Promise<OutboxListing> {
  const outbox = createOutboxRepository(deps.db);
  return deps.db.asRequest({ role: 'service_role', claims: {} }, async (tx) => ({
    counts: await outbox.counts({ tx }),
    items: await outbox.list({ ...(query.status ? { status: query.status } : {}), limit: query.limit }, { tx }),
  }));
}
