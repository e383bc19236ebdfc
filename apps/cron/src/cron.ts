import { createApiClient, createLogger, type FetchLike, type Logger } from '@neuronetiq/client';
import { createDb, type Db, repos } from '@neuronetiq/db';
import { type RunningServer, startHealthServer } from '@neuronetiq/service';
import { type Clock, every, systemClock } from '@neuronetiq/service/clock';
import { type CronConfig, type CronConfigInput, withCronDefaults } from './config';
import { createBinanceKlinesIngest } from './ingest/binance-klines';
import { createReplayIngest } from './ingest/replay-ingest';
import { createSyntheticIngest } from './ingest/synthetic-ingest';
import { expireIdempotencyRecords } from './maintenance/expire-idempotency';
import { trimEventLogRows } from './maintenance/trim-event-log';
import { createCronMetrics } from './metrics';
import { createOutboxDrainer, type DrainReport } from './outbox/drain-outbox';
import { listenForOutbox, type OutboxListener } from './outbox/outbox-listener';
import { type RollUpRun, rollUpNewBars } from './resample/roll-up-job';
import { deliverWebhooks, WEBHOOK_DELIVERY_DEFAULTS } from './webhooks/deliver-webhooks';

/** How often the cron looks for due subscriber webhooks. */
const WEBHOOK_INTERVAL_MS = 5_000;
export interface CronDeps {
  clock?: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  /** Database for the outbox; created from `databaseUrl` when absent (and then closed by stop()). */
  db?: Db;
  random?: () => number;
}

/**
 * The infra cron: drains the outbox (every drainIntervalMs, and at once on NOTIFY), runs the configured market-data
 * feeds, rolls stored 1m bars up into larger timeframes, expires idempotency records, and serves /health and /metrics on one port.
 */
export function createCron(input: CronConfigInput, deps: CronDeps = {}) {
  const config: CronConfig = withCronDefaults(input);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger('cron');
  const metrics = createCronMetrics();
  const api = createApiClient({
    baseUrl: config.infraApiUrl,
    token: config.serviceRoleKey,
    timeoutMs: config.apiTimeoutMs,
    fetch: deps.fetch,
  });
  const ownsDb = !deps.db;
  const db = deps.db ?? createDb(config.databaseUrl, { max: 4, applicationName: 'cron' });
  const drainer = createOutboxDrainer(config.drain, { db, api, logger, metrics, random: deps.random });
  const binance = config.binance
    ? createBinanceKlinesIngest(config.binance, { api, clock, logger, metrics, fetch: deps.fetch, random: deps.random })
    : undefined;
  const ingest = [
    ...(binance ? [binance] : []),
    ...(config.synthetic ? [createSyntheticIngest(config.synthetic, { api, clock, logger, metrics })] : []),
    ...(config.replay ? [createReplayIngest(config.replay, { api, clock, logger, metrics })] : []),
  ];

  let stopping: AbortController | undefined;
  let wake: AbortController | undefined;
  let loops: Promise<void>[] = [];
  let server: RunningServer | undefined;
  let listener: OutboxListener | undefined;
  let lastDrain: { at: number; report: DrainReport } | undefined;
  let draining: Promise<DrainReport> | undefined;
  let lastRollUp: RollUpRun | undefined;
  let rollingUp: Promise<RollUpRun> | undefined;

  /** One drain pass; concurrent callers share the pass in progress. */
  function drainNow(): Promise<DrainReport> {
    draining ??= drainer
      .drainOnce()
      .then((report) => {
        lastDrain = { at: clock.now(), report };
        if (report.delivered + report.dead > 0) logger.info({ ...report }, 'outbox drained');
        return report;
      })
      .finally(() => {
        draining = undefined;
      });
    return draining;
  }

  async function expireIdempotency(): Promise<void> {
    const n = await expireIdempotencyRecords(db, config.idempotencyMaxAgeMs);
    metrics.idempotencyExpired.inc(n);
    if (n > 0) logger.info({ expired: n }, 'idempotency records expired');
  }

  async function trimEventLog(): Promise<void> {
    const n = await trimEventLogRows(db, config.eventLogRetentionMs);
    metrics.eventLogTrimmed.inc(n);
    if (n > 0) logger.info({ trimmed: n }, 'event log trimmed');
  }

  /**
   * One scoring sweep over signals whose bar_ts is within scoreLookbackMs of now, either side (tests; the loop calls it
   * too): a signal may be posted for a bar ahead, and is entered from when it was received.
   */
  async function scoreNow(): Promise<number> {
    const now = clock.now();
    const n = await repos.performance.scoreSignals(db, now - config.scoreLookbackMs, now + config.scoreLookbackMs);
    metrics.signalsScored.inc(n);
    if (n > 0) logger.info({ scored: n }, 'signals scored by the sweep');
    return n;
  }

  /**
   * One pass of the stored signal summary (tests; the loop calls it too): the marketplace reads the days it has not
   * folded in yet from the signal rows, so a late pass costs speed, never correctness.
   */
  async function refreshSummaryNow(): Promise<number> {
    const n = await repos.marketplace.refreshSignalSummary(db);
    if (n > 0) logger.debug({ days: n }, 'signal summary refreshed');
    return n;
  }

  /** One pass of the marketplace's stored median, drawdown and Spearman (tests; the loop calls it too). */
  async function refreshRowFiguresNow(): Promise<number> {
    const n = await repos.marketplace.refreshRowFigures(db);
    logger.debug({ rows: n }, 'marketplace row figures refreshed');
    return n;
  }

  /** One pass over the due subscriber webhooks (tests; the loop calls it too). */
  async function deliverWebhooksNow() {
    const r = await deliverWebhooks(db, WEBHOOK_DELIVERY_DEFAULTS, { nowMs: () => clock.now() });
    if (r.dead > 0) logger.warn(r, 'subscriber webhooks dead-lettered');
    return r;
  }

  /** One roll-up pass of 1m bars into the RESAMPLE_TIMEFRAMES (tests; the loop calls it too). */
  function rollUpNow(): Promise<RollUpRun> {
    rollingUp ??= rollUpNewBars(db, config.rollUp, { nowMs: clock.now(), metrics, logger })
      .then((run) => {
        lastRollUp = run;
        return run;
      })
      .finally(() => {
        rollingUp = undefined;
      });
    return rollingUp;
  }

  async function health() {
    let outbox: { pending: number; dead: number } | null = null;
    try {
      outbox = await repos.outbox.counts(db);
    } catch {
      outbox = null;
    }
    return {
      status: outbox ? 200 : 503,
      body: {
        status: outbox ? 'ok' : 'database_unreachable',
        service: 'cron',
        outbox,
        notify: listener?.mode ?? null,
        last_drain: lastDrain ? { at: new Date(lastDrain.at).toISOString(), ...lastDrain.report } : null,
        feeds: {
          synthetic: config.synthetic
            ? { symbols: config.synthetic.symbols, timeframe: config.synthetic.timeframe }
            : null,
          replay: config.replay ? { file: config.replay.file, symbol: config.replay.symbol } : null,
          binance: binance ? binance.series() : null,
        },
        last_roll_up: lastRollUp ? { ...lastRollUp, at: new Date(lastRollUp.at).toISOString() } : null,
      },
    };
  }

  return {
    config,
    metrics,
    /** Runs one drain pass now (tests; the loop calls it too). */
    drainNow,
    scoreNow,
    refreshSummaryNow,
    refreshRowFiguresNow,
    deliverWebhooksNow,
    rollUpNow,

    async start(): Promise<{ port: number }> {
      if (stopping) throw new Error('cron already started');
      server = await startHealthServer({ port: config.port, host: config.host, health, metrics: metrics.registry });
      stopping = new AbortController();
      const signal = stopping.signal;
      if (config.listen) {
        try {
          listener = await listenForOutbox(config.databaseUrl, () => wake?.abort(), logger);
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'cannot LISTEN for the outbox; polling only');
        }
      }
      const failed = (what: string) => (err: unknown) => logger.error({ err: (err as Error).message }, what);
      loops = [
        every(config.drainIntervalMs, drainNow, {
          clock,
          signal,
          onError: failed('outbox drain failed'),
          // Armed before each pass: a NOTIFY that arrives while it runs (for an item it leased too early to see) cuts
          // the next wait short instead of waiting for the interval.
          wakeEarly: () => {
            wake = new AbortController();
            return wake.signal;
          },
        }),
        every(config.maintenanceIntervalMs, expireIdempotency, {
          clock,
          signal,
          onError: failed('idempotency expiry failed'),
        }),
        every(config.maintenanceIntervalMs, trimEventLog, { clock, signal, onError: failed('event log trim failed') }),
        every(config.scoreIntervalMs, scoreNow, { clock, signal, onError: failed('signal scoring failed') }),
        every(config.summaryIntervalMs, refreshSummaryNow, {
          clock,
          signal,
          onError: failed('signal summary refresh failed'),
        }),
        every(config.rowFiguresIntervalMs, refreshRowFiguresNow, {
          clock,
          signal,
          onError: failed('marketplace row figures refresh failed'),
        }),
        every(WEBHOOK_INTERVAL_MS, deliverWebhooksNow, {
          clock,
          signal,
          onError: failed('subscriber webhook delivery failed'),
        }),
        // Also with RESAMPLE_TIMEFRAMES empty: then a pass only drops the ranges the trigger records.
        every(config.rollUp.intervalMs, rollUpNow, {
          clock,
          signal,
          onError: failed('roll-up of 1m bars failed'),
        }),
      ];
      for (const feed of ingest) feed.start();
      return { port: server.port };
    },

    async stop(): Promise<void> {
      if (!stopping) return;
      stopping.abort();
      await Promise.all(ingest.map((f) => f.stop()));
      await Promise.all(loops);
      await draining?.catch(() => {});
      await rollingUp?.catch(() => {});
      await listener?.close();
      await server?.close();
      loops = [];
      if (ownsDb && stopping) await db.end();
      stopping = undefined;
    },
  };
}
export type Cron = ReturnType<typeof createCron>;
