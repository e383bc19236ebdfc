// The orchestrator's environment, parsed once at start-up. Nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { SlugSchema, SymbolSchema, TimeframeSchema } from '@neuronetiq/contracts';
import { parseEnv, ServiceRoleKeySchema } from '@neuronetiq/service/env';
import { z } from 'zod';
import { ORCHESTRATOR_DEFAULTS, type OrchestratorConfigInput, type SeriesConfig, seriesOf } from './config';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const csv = () =>
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const WeightsSchema = z.record(SlugSchema, z.number().finite().min(0));

/** ORCHESTRATOR_CONFIG: a JSON file naming the series (and optionally models and weights) instead of the env. */
const ConfigFileSchema = z.strictObject({
  series: z.array(z.strictObject({ symbol: SymbolSchema, timeframes: z.array(TimeframeSchema).min(1) })).min(1),
  models: z.array(SlugSchema).min(1).optional(),
  model_weights: WeightsSchema.optional(),
});

const EnvSchema = z.object({
  OWNER_DEFAULT: SlugSchema.default('pacey999'),
  INFRA_API_URL: z.url().default('http://127.0.0.1:8787'),
  WORKER_URL: z.url().default('http://127.0.0.1:7071'),
  SERVICE_ROLE_KEY: ServiceRoleKeySchema,
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL must be set to a postgres:// URL' })
    .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// URL' }),
  SYMBOLS: csv().pipe(z.array(SymbolSchema).min(1)).default(['EURUSD']),
  TIMEFRAMES: csv().pipe(z.array(TimeframeSchema).min(1)).default(['5m']),
  MODELS: csv().pipe(z.array(SlugSchema).min(1)).optional(),
  ORCHESTRATOR_CONFIG: z.string().optional(),
  MODEL_WEIGHTS: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'MODEL_WEIGHTS must be JSON, e.g. {"baseline-rsi-001":1.4}' });
        return z.NEVER;
      }
    })
    .pipe(WeightsSchema)
    .optional(),
  SETTLE_DELAY_MS: int(ORCHESTRATOR_DEFAULTS.settleMs),
  CATCH_UP_BARS: int(ORCHESTRATOR_DEFAULTS.catchUpBars),
  WINDOW_BARS: z.coerce.number().int().min(1).max(5000).optional(),
  WORKER_BATCH_SERIES: int(ORCHESTRATOR_DEFAULTS.workerBatchSeries, 1),
  WORKER_CONCURRENCY: int(ORCHESTRATOR_DEFAULTS.workerConcurrency, 1),
  BAR_CACHE_REFRESH_CLOSES: int(ORCHESTRATOR_DEFAULTS.barCacheRefreshCloses),
  WORKER_TIMEOUT_MS: int(ORCHESTRATOR_DEFAULTS.workerTimeoutMs, 1),
  API_CONCURRENCY: int(ORCHESTRATOR_DEFAULTS.apiConcurrency, 1),
  API_TIMEOUT_MS: int(ORCHESTRATOR_DEFAULTS.apiTimeoutMs, 1),
  RETRY_ATTEMPTS: int(ORCHESTRATOR_DEFAULTS.retry.attempts, 1),
  RETRY_BASE_MS: int(ORCHESTRATOR_DEFAULTS.retry.baseMs, 1),
  RETRY_MAX_MS: int(ORCHESTRATOR_DEFAULTS.retry.maxMs, 1),
  CONSENSUS_MIN_MARGIN: z.coerce.number().min(0).max(1).default(ORCHESTRATOR_DEFAULTS.consensusMinMargin),
  TRACK_RECORD_WINDOW: int(ORCHESTRATOR_DEFAULTS.trackRecordWindow),
  TRACK_RECORD_MIN_RESOLVED: int(ORCHESTRATOR_DEFAULTS.trackRecordMinResolved),
  TRACK_RECORD_REFRESH_MS: int(ORCHESTRATOR_DEFAULTS.trackRecordRefreshMs),
  SIGNAL_STORE_MODE: z.enum(['batch', 'single']).default(ORCHESTRATOR_DEFAULTS.signalStoreMode),
  HOST: z.string().default(ORCHESTRATOR_DEFAULTS.host),
  PORT: int(ORCHESTRATOR_DEFAULTS.port),
  METRICS_PORT: int(ORCHESTRATOR_DEFAULTS.metricsPort),
  LEADER_POLL_MS: int(ORCHESTRATOR_DEFAULTS.leaderPollMs, 100),
  LEADER_LEASE_MS: int(ORCHESTRATOR_DEFAULTS.leaderLeaseMs, 1000),
  FAILED_SERIES_RETRY_MS: int(ORCHESTRATOR_DEFAULTS.failedSeriesRetryMs, 100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface OrchestratorEnv {
  config: OrchestratorConfigInput;
  logLevel: string;
}

/** Parses the environment; throws an Error whose message names every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): OrchestratorEnv {
  // NODE_ENV=production: the service key must not be a development or example value.
  const e = parseEnv(EnvSchema, source, 'orchestrator', { secrets: ['SERVICE_ROLE_KEY'] });
  let series: SeriesConfig[] = seriesOf(e.SYMBOLS, e.TIMEFRAMES);
  let models = e.MODELS;
  let weights = e.MODEL_WEIGHTS;
  if (e.ORCHESTRATOR_CONFIG) {
    let file: z.infer<typeof ConfigFileSchema>;
    try {
      file = ConfigFileSchema.parse(JSON.parse(readFileSync(e.ORCHESTRATOR_CONFIG, 'utf8')));
    } catch (err) {
      throw new Error(`ORCHESTRATOR_CONFIG (${e.ORCHESTRATOR_CONFIG}): ${(err as Error).message}`);
    }
    series = file.series.flatMap((s) => seriesOf([s.symbol], s.timeframes));
    models = file.models ?? models;
    weights = file.model_weights ?? weights;
  }
  return {
    logLevel: e.LOG_LEVEL,
    config: {
      owner: e.OWNER_DEFAULT,
      series,
      ...(models ? { models } : {}),
      ...(weights ? { modelWeights: weights } : {}),
      infraApiUrl: e.INFRA_API_URL,
      workerUrl: e.WORKER_URL,
      serviceRoleKey: e.SERVICE_ROLE_KEY,
      databaseUrl: e.DATABASE_URL,
      settleMs: e.SETTLE_DELAY_MS,
      catchUpBars: e.CATCH_UP_BARS,
      ...(e.WINDOW_BARS ? { windowBars: e.WINDOW_BARS } : {}),
      workerBatchSeries: e.WORKER_BATCH_SERIES,
      workerConcurrency: e.WORKER_CONCURRENCY,
      barCacheRefreshCloses: e.BAR_CACHE_REFRESH_CLOSES,
      workerTimeoutMs: e.WORKER_TIMEOUT_MS,
      apiConcurrency: e.API_CONCURRENCY,
      apiTimeoutMs: e.API_TIMEOUT_MS,
      retry: { attempts: e.RETRY_ATTEMPTS, baseMs: e.RETRY_BASE_MS, maxMs: e.RETRY_MAX_MS },
      consensusMinMargin: e.CONSENSUS_MIN_MARGIN,
      signalStoreMode: e.SIGNAL_STORE_MODE,
      trackRecordWindow: e.TRACK_RECORD_WINDOW,
      trackRecordMinResolved: e.TRACK_RECORD_MIN_RESOLVED,
      trackRecordRefreshMs: e.TRACK_RECORD_REFRESH_MS,
      host: e.HOST,
      port: e.PORT,
      metricsPort: e.METRICS_PORT,
      leaderPollMs: e.LEADER_POLL_MS,
      leaderLeaseMs: e.LEADER_LEASE_MS,
      failedSeriesRetryMs: e.FAILED_SERIES_RETRY_MS,
    },
  };
}
