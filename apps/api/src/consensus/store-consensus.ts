import type { ConsensusPayload, ConsensusQuery, StoredConsensus } from '@neuronetiq/contracts';
import { ConsensusPayloadSchema } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { assertMayReadOwner, principalId, readContext, writeContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { type StoredResponse, withIdempotency } from '../http/idempotency';
import { findWriteViolations } from '../signals/authorize-writes';
import { assertNoBarInFuture } from '../writes/bar-in-future';
import { storeBatch } from '../writes/store-batch';

const immutable = (c: { bar_ts: string; timeframe: string }) =>
  `the consensus for bar ${c.bar_ts} (${c.timeframe}) is already stored with other values and its bar has closed; it is never rewritten`;

/** POST /api/consensus/batch: up to 1,000 consensus rows, all or nothing as to their input (as /api/signals/batch). */
export function storeConsensusBatch(
  deps: ApiDeps,
  req: { principal: Principal; idempotencyKey: string | undefined; items: readonly unknown[] },
): Promise<StoredResponse & { replayed: boolean }> {
  return storeBatch<ConsensusPayload>(deps, req, {
    kind: 'consensus',
    field: 'consensus',
    schema: ConsensusPayloadSchema,
    keyOf: (c) => `${c.owner}\u0000${c.symbol}\u0000${c.timeframe}\u0000${c.bar_ts}`,
    sameWhat: 'series and bar',
    store: repos.consensus.store,
    immutableMessage: immutable,
  });
}

/** POST /api/consensus/store: same rules as a signal (owner check, late flag, immutable after the bar closes). */
export async function storeConsensus(
  deps: ApiDeps,
  req: { principal: Principal; idempotencyKey: string | undefined; consensus: ConsensusPayload },
): Promise<StoredResponse & { replayed: boolean }> {
  const { principal, consensus } = req;
  if (principal.kind === 'vendor' && consensus.owner !== principal.owner) {
    throw new AppError('FORBIDDEN', {
      message: `API key of owner "${principal.owner}" may not write for owner "${consensus.owner}"`,
    });
  }
  const receivedAtMs = deps.now();
  assertNoBarInFuture([consensus], receivedAtMs, () => 'bar_ts');
  const result = await deps.db.asRequest(writeContext(principal), (tx) =>
    withIdempotency({ tx, principal: principalId(principal), key: req.idempotencyKey, body: consensus }, async () => {
      const [violation] = await findWriteViolations(tx, principal, [consensus]);
      if (violation) throw new AppError('FORBIDDEN', { message: violation });
      const [outcome] = await repos.consensus.store(tx, [consensus], { receivedAtMs });
      if (outcome === 'immutable') throw new AppError('SIGNAL_IMMUTABLE', { message: immutable(consensus) });
      deps.metrics.signalsStored.inc({ kind: 'consensus', outcome: outcome ?? 'stored' });
      return { status: 204, body: null };
    }),
  );
  if (result.replayed) deps.metrics.idempotentReplays.inc();
  return result;
}

export async function findConsensus(
  deps: ApiDeps,
  req: { principal: Principal; query: ConsensusQuery },
): Promise<StoredConsensus[]> {
  const { principal, query } = req;
  assertMayReadOwner(principal, query.owner);
  return deps.db.asRequest(readContext(principal), (tx) =>
    repos.consensus.find(tx, query, { ownOnly: principal.kind !== 'service' }),
  );
}
