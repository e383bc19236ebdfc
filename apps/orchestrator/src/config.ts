import type { RetryPolicy } from '@neuronetiq/client';
import type { Timeframe } from '@neuronetiq/contracts';

/** One series: a symbol on a timeframe. */
export interface SeriesConfig {
  symbol: string;
  timeframe: Timeframe;
}

export interface OrchestratorConfig {
  /** Owner of the signals and consensus written (the seed's OWNER_DEFAULT). */
  owner: string;
  /** Every symbol × timeframe the orchestrator runs. */
  series: SeriesConfig[];
  /** Model ids to run; undefined = every model the worker has. */
  models?: string[];
  infraApiUrl: string;
  workerUrl: string;
  serviceRoleKey: string;
  /** PostgreSQL (or the embedded database's socket): the outbox and the leader lock. */
  databaseUrl: string;
  /** Wait after a bar close before running it, so the closed bar has reached the database. */
  settleMs: number;
  /** Closes before the latest one that are still run after a restart or a stall (bounded catch-up). */
  catchUpBars: number;
  /** Bars sent to the worker per series; undefined = the largest warm-up of the models run (from GET /v1/models). */
  windowBars?: number;
  /** Series per chunk of a cycle: one bars query, one POST /v1/predict/batch, one signals and one consensus batch. */
  workerBatchSeries: number;
  /** Chunks in flight at once (so the api, the worker and the database work at the same time). */
  workerConcurrency: number;
  /**
   * Closes a series' cached window serves before it is read whole again (between them a close reads only the new
   * bars plus two it checks against the cache); 0: read the whole window at every close.
   */
  barCacheRefreshCloses: number;
  workerTimeoutMs: number;
  /** Api requests in flight at once. */
  apiConcurrency: number;
  apiTimeoutMs: number;
  /** Immediate retries of a failed call (transient failures only). */
  retry: RetryPolicy;
  /** Smallest weighted lean that is not NEUTRAL (see consensus/compute-consensus.ts). */
  consensusMinMargin: number;
  /** Static weights per model id, for models without enough track record (see consensus/track-record.ts). */
  modelWeights?: Record<string, number>;
  /** Track-record weights: newest scored signals per series read, fewest resolved calls that count, and how often
   * the records are read; 0 for trackRecordRefreshMs turns track-record weights off. */
  trackRecordWindow: number;
  trackRecordMinResolved: number;
  trackRecordRefreshMs: number;
  /** `batch`: POST /api/signals/batch (≤ 1000 per request); `single`: POST /api/signals/store per signal. */
  signalStoreMode: 'batch' | 'single';
  host: string;
  /** /health; 0 picks a free port. */
  port: number;
  /** /metrics; 0 picks a free port. */
  metricsPort: number;
  /** How often a standby tries to take over, and a leader confirms it still leads. */
  leaderPollMs: number;
  /** Lease length where the database cannot hold a session lock (embedded). */
  leaderLeaseMs: number;
  /** When a series failed (api or worker down), how soon it is tried again. */
  failedSeriesRetryMs: number;
}

export const ORCHESTRATOR_DEFAULTS = {
  settleMs: 2_000,
  catchUpBars: 5,
  workerBatchSeries: 100,
  workerConcurrency: 2,
  barCacheRefreshCloses: 60,
  workerTimeoutMs: 15_000,
  apiConcurrency: 16,
  apiTimeoutMs: 10_000,
  retry: { attempts: 4, baseMs: 250, maxMs: 5_000 },
  consensusMinMargin: 0.15,
  trackRecordWindow: 200,
  trackRecordMinResolved: 20,
  trackRecordRefreshMs: 5 * 60_000,
  signalStoreMode: 'batch',
  host: '0.0.0.0',
  port: 8080,
  metricsPort: 9091,
  leaderPollMs: 2_000,
  leaderLeaseMs: 15_000,
  failedSeriesRetryMs: 5_000,
} as const satisfies Partial<OrchestratorConfig>;

/** The required fields plus any overrides; everything else takes ORCHESTRATOR_DEFAULTS. */
export type OrchestratorConfigInput = Pick<
  OrchestratorConfig,
  'owner' | 'series' | 'infraApiUrl' | 'workerUrl' | 'serviceRoleKey' | 'databaseUrl'
> &
  Partial<OrchestratorConfig>;

export function withDefaults(input: OrchestratorConfigInput): OrchestratorConfig {
  return { ...ORCHESTRATOR_DEFAULTS, ...input, retry: { ...ORCHESTRATOR_DEFAULTS.retry, ...input.retry } };
}

/** Every symbol on every timeframe. */
export function seriesOf(symbols: readonly string[], timeframes: readonly Timeframe[]): SeriesConfig[] {
  return symbols.flatMap((symbol) => timeframes.map((timeframe) => ({ symbol, timeframe })));
}
