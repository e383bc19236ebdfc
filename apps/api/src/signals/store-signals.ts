import type { SignalPayload } from '@neuronetiq/contracts';
import { SignalPayloadSchema } from '@neuronetiq/contracts';
import { createModelRepository, createSignalRepository, type WriteOutcome } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { principalId, writeContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { type StoredResponse, withIdempotency } from '../http/idempotency';
import { storeBatch } from '../writes/store-batch';
import { findWriteViolations } from './authorize-writes';

export interface WriteRequest {
  principal: Principal;
  idempotencyKey: string | undefined;
}

export const immutable = (p: { bar_ts: string; timeframe: string }) =>
  `the signal for bar ${p.bar_ts} (${p.timeframe}) is already stored with other values and its bar has closed; stored signals are never rewritten`;

/** POST /api/signals/store: one validated signal; 204, or an error. */
export async function storeSignal(
  deps: ApiDeps,
  req: WriteRequest & { signal: SignalPayload },
): Promise<StoredResponse & { replayed: boolean }> {
  const signals = createSignalRepository(deps.db);
  const models = createModelRepository(deps.db);
  const receivedAtMs = deps.now();
  const result = await deps.db.asRequest(writeContext(req.principal), (tx) =>
    withIdempotency(
      { tx, principal: principalId(req.principal), key: req.idempotencyKey, body: req.signal },
      async () => {
        const [violation] = await findWriteViolations(models, tx, req.principal, [req.signal]);
        if (violation) throw new AppError('FORBIDDEN', { message: violation });
        const [outcome] = await signals.store([req.signal], { tx, receivedAtMs });
        if (outcome === 'immutable') throw new AppError('SIGNAL_IMMUTABLE', { message: immutable(req.signal) });
        deps.metrics.signalsStored.inc({ kind: 'signal', outcome: outcome as WriteOutcome });
        return { status: 204, body: null };
      },
    ),
  );
  if (result.replayed) deps.metrics.idempotentReplays.inc();
  return result;
}

/**
 * POST /api/signals/batch: every item is validated and authorised first; the acceptable ones are stored in one
 * statement; the response lists one result per item (stored, unchanged, or rejected with the reason).
 */
export function storeSignalBatch(
  deps: ApiDeps,
  req: WriteRequest & { items: readonly unknown[] },
): Promise<StoredResponse & { replayed: boolean }> {
  const signals = createSignalRepository(deps.db);
  return storeBatch<SignalPayload>(deps, req, {
    kind: 'signal',
    field: 'signals',
    schema: SignalPayloadSchema,
    keyOf: (s) => `${s.owner}\u0000${s.model_id}\u0000${s.symbol}\u0000${s.timeframe}\u0000${s.bar_ts}`,
    sameWhat: 'model, series and bar',
    store: (items, options) => signals.store(items, options),
    immutableMessage: immutable,
  });
}
