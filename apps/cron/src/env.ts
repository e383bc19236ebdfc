// The cron's environment (and the import command's), parsed once at start-up. Nothing else reads process.env.
import { SymbolSchema, TIMEFRAME_MS, TimeframeSchema } from '@neuronetiq/contracts';
import { IMPORT_FORMATS } from '@neuronetiq/marketdata';
import { EmbeddedDataDirEnv, embeddedDataDir, parseEnv, ServiceRoleKeySchema } from '@neuronetiq/service/env';
import { z } from 'zod';
import { CRON_DEFAULTS, type CronConfigInput } from './config';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .default(fallback);
const csv = () =>
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const EnvSchema = z.object({
  INFRA_API_URL: z.url().default('http://127.0.0.1:8787'),
  SERVICE_ROLE_KEY: ServiceRoleKeySchema,
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL must be set to a postgres:// URL' })
    .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// URL' }),
  API_TIMEOUT_MS: int(CRON_DEFAULTS.apiTimeoutMs, 1),
  OUTBOX_DRAIN_INTERVAL_MS: int(CRON_DEFAULTS.drainIntervalMs, 100),
  OUTBOX_BATCH_SIZE: int(CRON_DEFAULTS.drain.batchSize, 1),
  OUTBOX_LEASE_MS: int(CRON_DEFAULTS.drain.leaseMs, 1000),
  OUTBOX_CONCURRENCY: int(CRON_DEFAULTS.drain.concurrency, 1),
  OUTBOX_MAX_ATTEMPTS: int(CRON_DEFAULTS.drain.maxAttempts, 1),
  OUTBOX_BACKOFF_BASE_MS: int(CRON_DEFAULTS.drain.backoff.baseMs, 1),
  OUTBOX_BACKOFF_MAX_MS: int(CRON_DEFAULTS.drain.backoff.maxMs, 1),
  OUTBOX_LISTEN: bool(CRON_DEFAULTS.listen),
  DEMO_SYMBOLS: csv().pipe(z.array(SymbolSchema)).default([]),
  DEMO_TIMEFRAME: TimeframeSchema.default('1m'),
  DEMO_BACKFILL_BARS: int(500),
  DEMO_SEED: int(42),
  REPLAY_CSV: z.string().optional(),
  REPLAY_SYMBOL: SymbolSchema.optional(),
  REPLAY_TIMEFRAME: TimeframeSchema.optional(),
  REPLAY_FORMAT: z.enum(IMPORT_FORMATS).optional(),
  REPLAY_TZ: z.string().optional(),
  REPLAY_SPEED: z.coerce.number().positive().default(60),
  BINANCE_SYMBOLS: csv().pipe(z.array(SymbolSchema)).default([]),
  BINANCE_TIMEFRAMES: csv()
    .pipe(z.array(TimeframeSchema).min(1, { error: 'name at least one timeframe' }))
    .default(['1m']),
  BINANCE_BASE_URL: z.url().default('https://api.binance.com'),
  BINANCE_POLL_MS: int(15_000, 1_000),
  BINANCE_BACKFILL_BARS: int(500),
  RESAMPLE_TIMEFRAMES: csv()
    .pipe(
      z.array(
        TimeframeSchema.refine((tf) => TIMEFRAME_MS[tf] > TIMEFRAME_MS['1m'], {
          error: 'every timeframe must be larger than 1m',
        }),
      ),
    )
    .default([...CRON_DEFAULTS.rollUp.timeframes]),
  RESAMPLE_INTERVAL_MS: int(CRON_DEFAULTS.rollUp.intervalMs, 1_000),
  RESAMPLE_LOOKBACK_MS: int(CRON_DEFAULTS.rollUp.lookbackMs, 60_000),
  IDEMPOTENCY_MAX_AGE_MS: int(CRON_DEFAULTS.idempotencyMaxAgeMs, 60_000),
  EVENT_LOG_RETENTION_MS: int(CRON_DEFAULTS.eventLogRetentionMs, 60_000),
  SCORE_INTERVAL_MS: int(CRON_DEFAULTS.scoreIntervalMs, 1_000),
  SCORE_LOOKBACK_MS: int(CRON_DEFAULTS.scoreLookbackMs, 60_000),
  HOST: z.string().default(CRON_DEFAULTS.host),
  PORT: int(CRON_DEFAULTS.port),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface CronEnv {
  config: CronConfigInput;
  logLevel: string;
}

/** Parses the cron's environment; throws an Error whose message names every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): CronEnv {
  // NODE_ENV=production: the service key must not be a development or example value.
  const e = parseEnv(EnvSchema, source, 'cron', { secrets: ['SERVICE_ROLE_KEY'] });
  if (e.REPLAY_CSV && (!e.REPLAY_SYMBOL || !e.REPLAY_TIMEFRAME)) {
    throw new Error('invalid cron environment:\n  REPLAY_CSV needs REPLAY_SYMBOL and REPLAY_TIMEFRAME');
  }
  return {
    logLevel: e.LOG_LEVEL,
    config: {
      infraApiUrl: e.INFRA_API_URL,
      serviceRoleKey: e.SERVICE_ROLE_KEY,
      databaseUrl: e.DATABASE_URL,
      apiTimeoutMs: e.API_TIMEOUT_MS,
      drainIntervalMs: e.OUTBOX_DRAIN_INTERVAL_MS,
      drain: {
        batchSize: e.OUTBOX_BATCH_SIZE,
        leaseMs: e.OUTBOX_LEASE_MS,
        concurrency: e.OUTBOX_CONCURRENCY,
        maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
        backoff: { baseMs: e.OUTBOX_BACKOFF_BASE_MS, maxMs: e.OUTBOX_BACKOFF_MAX_MS },
      },
      listen: e.OUTBOX_LISTEN,
      ...(e.DEMO_SYMBOLS.length > 0
        ? {
            synthetic: {
              symbols: e.DEMO_SYMBOLS,
              timeframe: e.DEMO_TIMEFRAME,
              backfillBars: e.DEMO_BACKFILL_BARS,
              seed: e.DEMO_SEED,
            },
          }
        : {}),
      ...(e.REPLAY_CSV && e.REPLAY_SYMBOL && e.REPLAY_TIMEFRAME
        ? {
            replay: {
              file: e.REPLAY_CSV,
              symbol: e.REPLAY_SYMBOL,
              timeframe: e.REPLAY_TIMEFRAME,
              format: e.REPLAY_FORMAT,
              tz: e.REPLAY_TZ,
              speed: e.REPLAY_SPEED,
            },
          }
        : {}),
      ...(e.BINANCE_SYMBOLS.length > 0
        ? {
            binance: {
              symbols: e.BINANCE_SYMBOLS,
              timeframes: e.BINANCE_TIMEFRAMES,
              baseUrl: e.BINANCE_BASE_URL,
              pollMs: e.BINANCE_POLL_MS,
              backfillBars: e.BINANCE_BACKFILL_BARS,
            },
          }
        : {}),
      rollUp: {
        timeframes: e.RESAMPLE_TIMEFRAMES,
        intervalMs: e.RESAMPLE_INTERVAL_MS,
        lookbackMs: e.RESAMPLE_LOOKBACK_MS,
      },
      idempotencyMaxAgeMs: e.IDEMPOTENCY_MAX_AGE_MS,
      eventLogRetentionMs: e.EVENT_LOG_RETENTION_MS,
      scoreIntervalMs: e.SCORE_INTERVAL_MS,
      scoreLookbackMs: e.SCORE_LOOKBACK_MS,
      host: e.HOST,
      port: e.PORT,
    },
  };
}

const ImportEnvSchema = z.object({
  /** Unset: the embedded database under EMBEDDED_DATA_DIR (stop `npm start` first: one process may open it). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// URL' })
    .optional(),
  ...EmbeddedDataDirEnv,
  /** Only for `--api`: the api's service role key (the import endpoint is the service's). */
  SERVICE_ROLE_KEY: ServiceRoleKeySchema.optional(),
  /** Set by npm to the directory `npm run import` was typed in (npm runs the script from the repository root). */
  INIT_CWD: z.string().optional(),
});

export function loadImportEnv(source: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(ImportEnvSchema, source, 'import');
  const dataDir = embeddedDataDir(e);
  return {
    databaseUrl: e.DATABASE_URL,
    embeddedDataDir: dataDir.dir,
    ...(dataDir.deprecation ? { deprecation: dataDir.deprecation } : {}),
    serviceRoleKey: e.SERVICE_ROLE_KEY,
    callerCwd: e.INIT_CWD,
  };
}
