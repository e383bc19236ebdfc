import type { BatchItemResult, BatchWriteResponse, ErrorDetail } from '@neuronetiq/contracts';
import { zodIssuesToDetails } from '@neuronetiq/contracts';
import { createModelRepository, type Queryable, type WriteOutcome } from '@neuronetiq/db';
import type { z } from 'zod';
import type { Principal } from '../auth/principal';
import { principalId, writeContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { type StoredResponse, withIdempotency } from '../http/idempotency';
import { findWriteViolations } from '../signals/authorize-writes';

/** What differs between the batch endpoints of signals and consensus. */
export interface BatchKind<T extends { owner: string; model_id?: string }> {
  kind: 'signal' | 'consensus';
  /** The body's list field, used in paths (`signals.3.confidence`). */
  field: string;
  schema: { safeParse(input: unknown): z.ZodSafeParseResult<T> };
  keyOf(item: T): string;
  /** How two items with one key are described: "model, series and bar". */
  sameWhat: string;
  store(items: T[], options: { tx: Queryable; receivedAtMs: number }): Promise<WriteOutcome[]>;
  immutableMessage(item: T): string;
}

/**
 * A batch write: every item is validated and authorised first; the acceptable ones are stored in one statement, in one
 * transaction with the Idempotency-Key record; the answer lists one result per item.
 */
export async function storeBatch<T extends { owner: string; model_id?: string }>(
  deps: ApiDeps,
  req: { principal: Principal; idempotencyKey: string | undefined; items: readonly unknown[] },
  k: BatchKind<T>,
): Promise<StoredResponse & { replayed: boolean }> {
  const models = createModelRepository(deps.db);
  const receivedAtMs = deps.now();
  const results: BatchItemResult[] = req.items.map((_, index) => ({ index, status: 'rejected' }));
  const valid: { index: number; item: T }[] = [];
  const reject = (index: number, error: BatchItemResult['error'], message: string, details?: ErrorDetail[]) => {
    results[index] = { index, status: 'rejected', error, message, ...(details ? { details } : {}) };
  };

  const seen = new Map<string, number>();
  req.items.forEach((raw, index) => {
    const parsed = k.schema.safeParse(raw);
    if (!parsed.success) {
      const details = zodIssuesToDetails(parsed.error, raw, [k.field, index]);
      reject(index, 'VALIDATION_ERROR', `${k.field}.${index} is invalid`, details);
      return;
    }
    const key = k.keyOf(parsed.data);
    const first = seen.get(key);
    if (first !== undefined) {
      reject(index, 'VALIDATION_ERROR', `${k.field}.${index} is for the same ${k.sameWhat} as ${k.field}.${first}`);
      return;
    }
    seen.set(key, index);
    valid.push({ index, item: parsed.data });
  });

  const normalised: unknown[] = [...req.items];
  for (const v of valid) normalised[v.index] = v.item;
  const result = await deps.db.asRequest(writeContext(req.principal), (tx) =>
    withIdempotency(
      { tx, principal: principalId(req.principal), key: req.idempotencyKey, body: normalised },
      async () => {
        const violations = await findWriteViolations(
          models,
          tx,
          req.principal,
          valid.map((v) => v.item),
        );
        const allowed = valid.filter((v, i) => {
          const violation = violations[i];
          if (violation) reject(v.index, 'FORBIDDEN', violation);
          return !violation;
        });
        const outcomes = await k.store(
          allowed.map((v) => v.item),
          { tx, receivedAtMs },
        );
        allowed.forEach((v, i) => {
          const outcome = outcomes[i] as WriteOutcome;
          if (outcome === 'immutable') reject(v.index, 'SIGNAL_IMMUTABLE', k.immutableMessage(v.item));
          else results[v.index] = { index: v.index, status: outcome };
        });
        const counts = { stored: 0, unchanged: 0, rejected: 0 };
        let invalid = 0;
        for (const r of results) {
          counts[r.status] += 1;
          if (r.error === 'VALIDATION_ERROR') invalid += 1;
        }
        if (invalid) deps.metrics.validationFailures.inc({ code: 'VALIDATION_ERROR' }, invalid);
        for (const [outcome, n] of Object.entries(counts)) {
          if (n) deps.metrics.signalsStored.inc({ kind: k.kind, outcome }, n);
        }
        const body: BatchWriteResponse = { success: counts.rejected === 0, ...counts, results };
        return { status: 200, body };
      },
    ),
  );
  if (result.replayed) deps.metrics.idempotentReplays.inc();
  return result;
}
