import type { RetryPolicy } from '@neuronetiq/client';
import type { BinanceKlinesOptions } from './ingest/binance-klines';
import type { ReplayIngestOptions } from './ingest/replay-ingest';
import type { SyntheticIngestOptions } from './ingest/synthetic-ingest';
import type { DrainOptions } from './outbox/drain-outbox';
import type { RollUpJobOptions } from './resample/roll-up-job';

export interface CronConfig {
  infraApiUrl: string;
  serviceRoleKey: string;
  /** The outbox and the idempotency records. */
  databaseUrl: string;
  apiTimeoutMs: number;
  /** Drain every this often (and at once on NOTIFY where the database delivers it). */
  drainIntervalMs: number;
  drain: DrainOptions;
  /** LISTEN for new outbox items (PostgreSQL only; detected). */
  listen: boolean;
  /** Synthetic demo feed; undefined: off. */
  synthetic?: SyntheticIngestOptions;
  /** CSV replay; undefined: off. */
  replay?: ReplayIngestOptions;
  /** Binance spot klines; undefined: off. */
  binance?: BinanceKlinesOptions;
  /** Roll stored 1m bars up into larger timeframes every `intervalMs`; no timeframes: off. */
  rollUp: RollUpJobOptions;
  /** Delete idempotency records older than this, every maintenanceIntervalMs. */
  idempotencyMaxAgeMs: number;
  /** Delete event log rows (GET /api/stream's resume window) older than this, every maintenanceIntervalMs. */
  eventLogRetentionMs: number;
  maintenanceIntervalMs: number;
  /** Sweep for unscored signals (ml.score_signals) every this often, over bars of the last scoreLookbackMs. */
  scoreIntervalMs: number;
  scoreLookbackMs: number;
  /** Fold the signal days written since the last pass into the stored summary (ml.refresh_signal_summary). */
  summaryIntervalMs: number;
  /**
   * Recompute the marketplace's stored median return, maximum drawdown and Spearman (shown with their as-of time to
   * viewers without a subscription) every this often.
   */
  rowFiguresIntervalMs: number;
  host: string;
  /** /health and /metrics; 0 picks a free port. */
  port: number;
  /** Retries of the feed's reads of the api. */
  retry: RetryPolicy;
}

export const CRON_DEFAULTS = {
  apiTimeoutMs: 10_000,
  drainIntervalMs: 30_000,
  drain: {
    batchSize: 100,
    leaseMs: 60_000,
    concurrency: 8,
    maxAttempts: 12,
    backoff: { baseMs: 5_000, maxMs: 15 * 60_000 },
  },
  listen: true,
  rollUp: { timeframes: ['5m', '15m', '1h', '4h', '1d'], intervalMs: 60_000, lookbackMs: 7 * 24 * 60 * 60 * 1000 },
  idempotencyMaxAgeMs: 24 * 60 * 60 * 1000,
  eventLogRetentionMs: 24 * 60 * 60 * 1000,
  maintenanceIntervalMs: 60 * 60 * 1000,
  scoreIntervalMs: 5 * 60 * 1000,
  scoreLookbackMs: 24 * 60 * 60 * 1000,
  summaryIntervalMs: 60_000,
  rowFiguresIntervalMs: 5 * 60_000,
  host: '0.0.0.0',
  port: 8081,
  retry: { attempts: 3, baseMs: 200, maxMs: 2_000 },
} as const satisfies Partial<CronConfig>;

export type CronConfigInput = Pick<CronConfig, 'infraApiUrl' | 'serviceRoleKey' | 'databaseUrl'> &
  Partial<Omit<CronConfig, 'drain' | 'rollUp'>> & { drain?: Partial<DrainOptions>; rollUp?: Partial<RollUpJobOptions> };

export function withCronDefaults(input: CronConfigInput): CronConfig {
  return {
    ...CRON_DEFAULTS,
    ...input,
    drain: { ...CRON_DEFAULTS.drain, ...input.drain },
    rollUp: { ...CRON_DEFAULTS.rollUp, ...input.rollUp },
    retry: { ...CRON_DEFAULTS.retry, ...input.retry },
  };
}
