import type { SignalsQuery, StoredSignal } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { assertMayReadOwner, readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

/** The caller's own signals (RLS filters by owner; the service principal sees every owner and may filter by one). */
export async function findSignals(
  deps: ApiDeps,
  req: { principal: Principal; query: SignalsQuery & { owner?: string | undefined } },
): Promise<StoredSignal[]> {
  const { principal, query } = req;
  assertMayReadOwner(principal, query.owner);
  return deps.db.asRequest(readContext(principal), (tx) => repos.signals.find(tx, query));
}
