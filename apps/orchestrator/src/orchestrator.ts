import { randomUUID } from 'node:crypto';
import {
  createApiClient,
  createLogger,
  createWorkerClient,
  type FetchLike,
  type Logger,
  type RetryDeps,
  withRetry,
} from '@neuronetiq/client';
import { OHLCV_LIMIT_MAX } from '@neuronetiq/contracts';
import { createDb, type Db, notify, OUTBOX_CHANNEL, repos } from '@neuronetiq/db';
import { type RunningServer, startHealthServer } from '@neuronetiq/service';
import { type Clock, systemClock } from '@neuronetiq/service/clock';
import { type OrchestratorConfig, type OrchestratorConfigInput, type SeriesConfig, withDefaults } from './config';
import { createTrackRecordWeights, type WeightsForSeries } from './consensus/track-record';
import { type BarWindows, createBarWindows } from './cycle/bar-windows';
import { type CycleReport, type ParkItem, runCycle } from './cycle/run-cycle';
import { createLeaderLock, type LeaderLock, type LeaderMode } from './leader/leader-lock';
import { createOrchestratorMetrics } from './metrics';
import { dueCloses, nextDueAt } from './schedule/bar-close';

export interface OrchestratorDeps {
  clock?: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  /** Database for the outbox; created from `databaseUrl` when absent (and then closed by stop()). */
  db?: Db;
  /** The consensus weights of each series for a cycle (default: track records from the api; see track-record.ts). */
  weights?: () => Promise<WeightsForSeries>;
  /** Names this instance in the leader lease and in logs. */
  instanceId?: string;
  /** Forces the leader lock's mode instead of detecting it from the database. */
  leaderMode?: LeaderMode;
  /** Sleep and randomness of immediate retries (tests make them instant and deterministic). */
  retry?: RetryDeps;
}

export interface OrchestratorStatus {
  instance: string;
  role: 'leader' | 'standby' | 'stopped';
  leaderMode: LeaderMode | undefined;
  lastCycle: CycleReport | undefined;
  lastCycleFinishedAt: number | undefined;
  /** Items neither the api nor the database took yet (retried every tick). */
  unparked: number;
}

const key = (s: SeriesConfig) => `${s.symbol}\u0000${s.timeframe}`;

/**
 * The orchestrator service: `start()` serves /health and /metrics, joins the leader election, and (while leader)
 * runs every series at each bar close; `stop()` finishes the cycle in progress and lets go of everything.
 * `tick()` runs whatever is due now, once (the loop calls it; tests call it with a manual clock).
 */
export function createOrchestrator(input: OrchestratorConfigInput, deps: OrchestratorDeps = {}) {
  const config: OrchestratorConfig = withDefaults(input);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger('orchestrator');
  const instanceId = deps.instanceId ?? `orchestrator-${randomUUID().slice(0, 8)}`;
  const metrics = createOrchestratorMetrics();
  const api = createApiClient({
    baseUrl: config.infraApiUrl,
    token: config.serviceRoleKey,
    timeoutMs: config.apiTimeoutMs,
    fetch: deps.fetch,
  });
  const worker = createWorkerClient({
    baseUrl: config.workerUrl,
    timeoutMs: config.workerTimeoutMs,
    fetch: deps.fetch,
  });
  const retryDeps: RetryDeps = {
    ...deps.retry,
    onRetry: (err, attempt, delayMs) =>
      logger.debug({ attempt, delayMs, err: (err as Error).message }, 'transient failure, retrying'),
  };

  const trackRecords = createTrackRecordWeights(
    api,
    {
      owner: config.owner,
      window: config.trackRecordWindow,
      minResolved: config.trackRecordMinResolved,
      refreshMs: config.trackRecordRefreshMs,
      staticWeights: config.modelWeights,
    },
    { now: () => clock.now(), logger },
  );
  const staticWeights: WeightsForSeries = () => config.modelWeights;
  /** This cycle's weights; any failure falls back to the static ones (a consensus is never held up by them). */
  async function readWeights(): Promise<WeightsForSeries> {
    try {
      if (deps.weights) return await deps.weights();
      return config.trackRecordRefreshMs > 0 ? await trackRecords.get() : staticWeights;
    } catch {
      return staticWeights;
    }
  }

  let db = deps.db;
  const ownsDb = !deps.db;
  const database = () => {
    db ??= createDb(config.databaseUrl, { max: 4, applicationName: `orchestrator:${instanceId}` });
    return db;
  };

  const lastDone = new Map<string, number>();
  const retryAt = new Map<string, number>();
  const spill: ParkItem[] = [];
  const cycleListeners = new Set<(r: CycleReport) => void>();
  let windowBars = config.windowBars;
  let windows: BarWindows | undefined;
  let lastCycle: CycleReport | undefined;
  let lastCycleFinishedAt: number | undefined;
  let heartbeat = clock.now();
  let leader = false;
  let lock: LeaderLock | undefined;
  let servers: RunningServer[] = [];
  let loopDone: Promise<void> | undefined;
  let stopping: AbortController | undefined;

  async function park(item: ParkItem): Promise<void> {
    try {
      const db = database();
      await repos.outbox.enqueue(db, item);
      metrics.outboxWrites.inc({ kind: item.kind });
      // Wakes a listening cron at once (PostgreSQL only); its poll finds the item anyway when this is lost.
      await notify(db, OUTBOX_CHANNEL, item.kind).catch(() => {});
    } catch (err) {
      // Neither the api nor the database: keep it in memory and try again on the next tick.
      spill.push(item);
      logger.error({ kind: item.kind, key: item.idempotencyKey, err: (err as Error).message }, 'outbox unreachable');
    }
    metrics.spilled.set(spill.length);
  }

  /** The worker's models this orchestrator runs (all of them unless `config.models` names some). */
  async function wantedModels(retry: boolean) {
    const models = retry ? await withRetry(() => worker.models(), config.retry, retryDeps) : await worker.models();
    const wanted = config.models ? models.filter((m) => config.models?.includes(m.id)) : models;
    if (wanted.length === 0) throw new Error(`the worker runs none of the models ${JSON.stringify(config.models)}`);
    return wanted;
  }

  let registered = false;
  /** A consensus may list only models registered to its owner: registers the built-in ones (idempotent), once. */
  async function registerModels(wanted: Awaited<ReturnType<typeof wantedModels>>, retry: boolean): Promise<void> {
    const call = () =>
      api.registerModels(
        config.owner,
        wanted.map((m) => ({
          model_id: m.id,
          name: m.id,
          description: `${m.description} (built-in model v${m.version})`.slice(0, 2000),
        })),
      );
    await (retry ? withRetry(call, config.retry, retryDeps) : call());
    registered = true;
  }

  async function resolveWindow(): Promise<number> {
    if (windowBars !== undefined) {
      // A configured window needs nothing from the worker to run a cycle, but the models must still be registered:
      // try once per tick until it works, without holding the cycle up.
      if (!registered) {
        await wantedModels(false)
          .then((wanted) => registerModels(wanted, false))
          .catch((err: Error) => logger.warn({ err: err.message }, 'built-in models not registered yet; retrying'));
      }
      return windowBars;
    }
    const wanted = await wantedModels(true);
    await registerModels(wanted, true);
    windowBars = Math.min(OHLCV_LIMIT_MAX, Math.max(...wanted.map((m) => m.required_bars)));
    logger.info({ windowBars, models: wanted.map((m) => m.id) }, 'window size from the worker');
    return windowBars;
  }

  /** Runs every close that is due now, oldest first; returns one report per close. */
  async function tick(): Promise<CycleReport[]> {
    if (spill.length > 0) {
      for (const item of spill.splice(0)) await park(item);
    }
    let window: number;
    try {
      window = await resolveWindow();
      windows ??= createBarWindows({ windowBars: window, refreshCloses: config.barCacheRefreshCloses });
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'cannot learn the models from the worker; retrying');
      const at = clock.now() + config.failedSeriesRetryMs;
      for (const s of config.series) retryAt.set(key(s), at);
      return [];
    }
    const now = clock.now();
    const byClose = new Map<number, SeriesConfig[]>();
    for (const s of config.series) {
      if ((retryAt.get(key(s)) ?? 0) > now) continue;
      const due = dueCloses({
        timeframe: s.timeframe,
        nowMs: now,
        settleMs: config.settleMs,
        lastDoneMs: lastDone.get(key(s)),
        catchUpBars: config.catchUpBars,
      });
      for (const c of due) {
        const list = byClose.get(c);
        if (list) list.push(s);
        else byClose.set(c, [s]);
      }
    }
    const weights = await readWeights();
    const reports: CycleReport[] = [];
    const failedNow = new Set<string>();
    for (const closeMs of [...byClose.keys()].sort((a, b) => a - b)) {
      // A series that failed an earlier close waits: its later closes must not jump over the failed one.
      const series = (byClose.get(closeMs) ?? []).filter((s) => !failedNow.has(key(s)));
      if (series.length === 0) continue;
      const report = await runCycle(
        { config, api, worker, metrics, logger, windowBars: window, windows, weights, park, retryDeps },
        closeMs,
        series,
        () => clock.now(),
      );
      for (const s of report.done) {
        lastDone.set(key(s), Math.max(lastDone.get(key(s)) ?? closeMs, closeMs));
        retryAt.delete(key(s));
      }
      for (const s of report.failed) {
        failedNow.add(key(s));
        retryAt.set(key(s), clock.now() + config.failedSeriesRetryMs);
      }
      lastCycle = report;
      lastCycleFinishedAt = clock.now();
      metrics.cycleDuration.observe(report.durationMs / 1000);
      metrics.lag.set((lastCycleFinishedAt - closeMs) / 1000);
      logger.info(
        {
          bar_ts: report.barTs,
          series: series.length,
          failed: report.failed.length,
          no_bar: report.noBar.length,
          signals: report.signals,
          consensus: report.consensus,
          duration_ms: report.durationMs,
        },
        'cycle done',
      );
      reports.push(report);
      for (const listener of cycleListeners) listener(report);
    }
    return reports;
  }

  function nextWakeAt(): number {
    const now = clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const s of config.series) {
      const due = retryAt.get(key(s)) ?? nextDueAt(s.timeframe, now, config.settleMs, lastDone.get(key(s)));
      next = Math.min(next, due);
    }
    return next;
  }

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let errored = false;
      try {
        if (!leader) {
          leader = (await lock?.tryAcquire()) ?? false;
          if (leader) {
            // A new leader knows nothing of the old one's progress: it re-runs the bounded catch-up window.
            lastDone.clear();
            retryAt.clear();
            windows?.clear();
            logger.info({ instance: instanceId, mode: lock?.mode }, 'leader: running bar closes');
          }
        } else if (!(await lock?.confirm())) {
          leader = false;
          logger.warn({ instance: instanceId }, 'lost the leader lock: standing by');
        }
        metrics.isLeader.set(leader ? 1 : 0);
        if (leader) await tick();
      } catch (err) {
        errored = true;
        logger.error({ err: (err as Error).message }, 'orchestrator loop error');
      }
      heartbeat = clock.now();
      // After an unexpected error the close it was on is still due (nextWakeAt is now): waiting as after a failed
      // series keeps a persistent fault from spinning the loop against the api and the worker.
      const wait = errored
        ? config.failedSeriesRetryMs
        : leader
          ? Math.min(nextWakeAt() - clock.now(), config.leaderPollMs)
          : config.leaderPollMs;
      await clock.sleep(Math.max(0, wait), signal);
    }
  }

  function status(): OrchestratorStatus {
    return {
      instance: instanceId,
      role: !loopDone ? 'stopped' : leader ? 'leader' : 'standby',
      leaderMode: lock?.mode,
      lastCycle,
      lastCycleFinishedAt,
      unparked: spill.length,
    };
  }

  function health() {
    const now = clock.now();
    // The loop wakes at least every leaderPollMs; a much older heartbeat means it is stuck.
    const stalled = loopDone !== undefined && now - heartbeat > Math.max(60_000, 5 * config.leaderPollMs);
    const s = status();
    return {
      status: stalled ? 503 : 200,
      body: {
        status: stalled ? 'stalled' : 'ok',
        service: 'orchestrator',
        instance: instanceId,
        role: s.role,
        leader_mode: s.leaderMode ?? null,
        series: config.series.length,
        last_cycle: lastCycle
          ? {
              bar_close: new Date(lastCycle.closeMs).toISOString(),
              finished_at: new Date(lastCycleFinishedAt ?? now).toISOString(),
              duration_ms: lastCycle.durationMs,
              lag_ms: (lastCycleFinishedAt ?? now) - lastCycle.closeMs,
              signals: lastCycle.signals,
              consensus: lastCycle.consensus,
              failed_series: lastCycle.failed.length,
            }
          : null,
        unparked_items: spill.length,
      },
    };
  }

  return {
    config,
    metrics,
    tick,
    status,
    /** Calls `listener` after every cycle; returns a function that removes it. */
    onCycle(listener: (r: CycleReport) => void): () => void {
      cycleListeners.add(listener);
      return () => cycleListeners.delete(listener);
    },

    async start(): Promise<{ port: number; metricsPort: number }> {
      if (loopDone) throw new Error('orchestrator already started');
      const healthServer = await startHealthServer({
        port: config.port,
        host: config.host,
        health: async () => health(),
      });
      const metricsServer = await startHealthServer({
        port: config.metricsPort,
        host: config.host,
        metrics: metrics.registry,
      });
      servers = [healthServer, metricsServer];
      lock = await createLeaderLock({
        databaseUrl: config.databaseUrl,
        instanceId,
        leaseMs: config.leaderLeaseMs,
        mode: deps.leaderMode,
      });
      if (lock.mode === 'lease') {
        logger.info({ leaseMs: config.leaderLeaseMs }, 'shared-session database (embedded): leader lease, not a lock');
      }
      stopping = new AbortController();
      loopDone = loop(stopping.signal);
      return { port: healthServer.port, metricsPort: metricsServer.port };
    },

    async stop(): Promise<void> {
      stopping?.abort();
      await loopDone;
      loopDone = undefined;
      leader = false;
      metrics.isLeader.set(0);
      await lock?.release();
      await Promise.all(servers.map((s) => s.close()));
      servers = [];
      if (spill.length > 0) logger.error({ items: spill.length }, 'stopping with items neither stored nor parked');
      if (ownsDb && db) {
        await db.end();
        db = undefined;
      }
    },
  };
}
export type Orchestrator = ReturnType<typeof createOrchestrator>;
