// Re-delivers what the orchestrator parked in ml.ingest_outbox. Items are leased with FOR UPDATE SKIP LOCKED (see
// repos.outbox.lease), so any number of cron instances drain one outbox without delivering an item twice
// while its lease runs. Each item goes to the api with the idempotency key it was generated with; the api answers a
// repeat with the first answer, so a crash between delivery and delete is harmless.

import {
  type ApiClient,
  type BackoffPolicy,
  backoffDelayMs,
  classifyFailure,
  type FailureClass,
  isNetworkError,
  type Logger,
  mapLimit,
} from '@neuronetiq/client';
import type { Db } from '@neuronetiq/db';
import { type OutboxItem, repos } from '@neuronetiq/db';
import type { CronMetrics } from '../metrics';

export interface DrainOptions {
  /** Items leased per round. */
  batchSize: number;
  /** How long a leased item is hidden from other drainers; longer than a delivery can take. */
  leaseMs: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** After this many failed attempts an item is dead-lettered. */
  maxAttempts: number;
  /** Backoff between attempts of one item. */
  backoff: BackoffPolicy;
}

export interface DrainReport {
  delivered: number;
  retried: number;
  dead: number;
  /** Leased but not tried because the api was unreachable (they come back when their lease runs out). */
  deferred: number;
}

export interface DrainerDeps {
  db: Db;
  api: Pick<ApiClient, 'redeliver'>;
  logger: Logger;
  metrics: CronMetrics;
  random?: () => number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createOutboxDrainer(options: DrainOptions, deps: DrainerDeps) {
  // Lease, fail and complete are one statement each, atomic on their own: they run on the pool, no BEGIN/COMMIT.

  async function deliver(item: OutboxItem, state: { apiDown: boolean }, report: DrainReport): Promise<void> {
    if (state.apiDown) {
      report.deferred++;
      return;
    }
    try {
      await deps.api.redeliver({ kind: item.kind, payload: item.payload, idempotencyKey: item.idempotency_key });
    } catch (err) {
      const cls: FailureClass = classifyFailure(err);
      deps.metrics.failures.inc({ kind: item.kind, class: cls });
      // The api is not there: the rest of this round would fail the same way and burn their attempts for nothing.
      if (isNetworkError(err)) state.apiDown = true;
      const attempts = item.attempts + 1;
      const dead = cls === 'reject' || attempts >= options.maxAttempts;
      const retryInMs = dead ? 0 : backoffDelayMs(attempts, options.backoff, deps.random);
      await repos.outbox.fail(deps.db, item.id, { error: message(err), retryInMs, dead });
      if (dead) {
        const reason = cls === 'reject' ? 'rejected' : 'exhausted';
        deps.metrics.deadLetters.inc({ kind: item.kind, reason });
        // Logged once, when it dies: the item stays in the table (status 'dead') for GET /api/admin/outbox.
        deps.logger.error(
          { id: item.id, kind: item.kind, key: item.idempotency_key, attempts, reason, err: message(err) },
          'outbox item dead-lettered',
        );
        report.dead++;
      } else {
        deps.logger.debug({ id: item.id, attempts, retryInMs, err: message(err) }, 'outbox delivery failed');
        report.retried++;
      }
      return;
    }
    await repos.outbox.complete(deps.db, item.id);
    deps.metrics.delivered.inc({ kind: item.kind });
    report.delivered++;
  }

  return {
    /** Delivers every item that is due now, round after round, until none is left or the api is unreachable. */
    async drainOnce(): Promise<DrainReport> {
      const end = deps.metrics.drainDuration.startTimer();
      const report: DrainReport = { delivered: 0, retried: 0, dead: 0, deferred: 0 };
      const state = { apiDown: false };
      try {
        for (;;) {
          const items = await repos.outbox.lease(deps.db, options.batchSize, options.leaseMs);
          if (items.length === 0) break;
          await mapLimit(items, options.concurrency, (item) => deliver(item, state, report));
          if (state.apiDown || items.length < options.batchSize) break;
        }
        const counts = await repos.outbox.counts(deps.db);
        deps.metrics.items.set({ status: 'pending' }, counts.pending);
        deps.metrics.items.set({ status: 'dead' }, counts.dead);
      } finally {
        end();
      }
      return report;
    },
  };
}
export type OutboxDrainer = ReturnType<typeof createOutboxDrainer>;
