import type { BatchItemResult, BatchWriteResponse, ErrorDetail, Timeframe } from '@neuronetiq/contracts';
import { zodIssuesToDetails } from '@neuronetiq/contracts';
import type { Queryable, WriteOutcome } from '@neuronetiq/db';
import type { z } from 'zod';
import type { Principal } from '../auth/principal';
import { principalId, writeContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError, validationError } from '../errors';
import { type StoredResponse, withIdempotency } from '../http/idempotency';
import { findWriteViolations } from '../signals/authorize-writes';
import { assertNoBarInFuture } from './bar-in-future';

/** What differs between the batch endpoints of signals and consensus. */
export interface BatchKind<T extends { owner: string; model_id?: string; bar_ts: string; timeframe: Timeframe }> {
  kind: 'signal' | 'consensus';
  /** The body's list field, used in paths (`signals.3.confidence`). */
  field: string;
  schema: { safeParse(input: unknown): z.ZodSafeParseResult<T> };
  keyOf(item: T): string;
  /** How two items with one key are described: "model, series and bar". */
  sameWhat: string;
  /** With `commit`, the write is the transaction's last statement (a store may send the COMMIT with it). */
  store(tx: Queryable, items: T[], options: { receivedAtMs: number; commit?: boolean }): Promise<WriteOutcome[]>;
  immutableMessage(item: T): string;
}

/**
 * A batch write, all or nothing as to its input: every item is validated (a bad one, or two for one row, is a 400
 * naming each; a bar more than one bar ahead a 422 BAR_IN_FUTURE) and authorised (a 403 naming each) before anything
 * is stored, and nothing of a refused batch is stored. The items are then stored in one statement, in one transaction
 * with the Idempotency-Key record; the answer lists one result per item, where only a row whose bar has closed with
 * other values stored (SIGNAL_IMMUTABLE) can be `rejected`: that is the stored past, not a bad input.
 */
export async function storeBatch<T extends { owner: string; model_id?: string; bar_ts: string; timeframe: Timeframe }>(
  deps: ApiDeps,
  req: { principal: Principal; idempotencyKey: string | undefined; items: readonly unknown[] },
  k: BatchKind<T>,
): Promise<StoredResponse & { replayed: boolean }> {
  const receivedAtMs = deps.now();
  const results: BatchItemResult[] = req.items.map((_, index) => ({ index, status: 'rejected' }));
  const valid: { index: number; item: T }[] = [];
  const invalid: ErrorDetail[] = [];
  const reject = (index: number, error: BatchItemResult['error'], message: string) => {
    results[index] = { index, status: 'rejected', error, message };
  };

  const seen = new Map<string, number>();
  req.items.forEach((raw, index) => {
    const parsed = k.schema.safeParse(raw);
    if (!parsed.success) {
      invalid.push(...zodIssuesToDetails(parsed.error, raw, [k.field, index]));
      return;
    }
    const key = k.keyOf(parsed.data);
    const first = seen.get(key);
    if (first !== undefined) {
      invalid.push({
        path: `${k.field}.${index}`,
        message: `is for the same ${k.sameWhat} as ${k.field}.${first}; send one row each`,
      });
      return;
    }
    seen.set(key, index);
    valid.push({ index, item: parsed.data });
  });
  if (invalid.length > 0) {
    const first = invalid[0] as ErrorDetail;
    throw validationError(
      `${k.field} is invalid, so nothing of the batch was stored (${first.path}: ${first.message}${invalid.length > 1 ? `, and ${invalid.length - 1} more` : ''})`,
      invalid,
    );
  }
  assertNoBarInFuture(
    valid.map((v) => v.item),
    receivedAtMs,
    (i) => `${k.field}.${valid[i]?.index}.bar_ts`,
  );

  const normalised: unknown[] = [...req.items];
  for (const v of valid) normalised[v.index] = v.item;
  const result = await deps.db.asRequest(writeContext(req.principal), (tx) =>
    withIdempotency(
      { tx, principal: principalId(req.principal), key: req.idempotencyKey, body: normalised },
      async () => {
        const violations = await findWriteViolations(
          tx,
          req.principal,
          valid.map((v) => v.item),
        );
        const forbidden = valid.flatMap((v, i) => {
          const violation = violations[i];
          return violation ? [{ path: `${k.field}.${v.index}`, message: violation }] : [];
        });
        if (forbidden.length > 0) {
          throw new AppError('FORBIDDEN', {
            message: `${forbidden[0]?.path}: ${forbidden[0]?.message}; nothing of the batch was stored`,
            details: forbidden,
          });
        }
        // Without a key nothing follows the write: the batch's transaction is then one round trip.
        const outcomes = await k.store(
          tx,
          valid.map((v) => v.item),
          { receivedAtMs, commit: req.idempotencyKey === undefined },
        );
        valid.forEach((v, i) => {
          const outcome = outcomes[i] as WriteOutcome;
          if (outcome === 'immutable') reject(v.index, 'SIGNAL_IMMUTABLE', k.immutableMessage(v.item));
          else results[v.index] = { index: v.index, status: outcome };
        });
        const counts = { stored: 0, unchanged: 0, rejected: 0 };
        for (const r of results) counts[r.status] += 1;
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
