// One cycle: every series whose bar closed at `closeMs`. Fetch each series' window of bars (ending with the bar that
// just closed), ask the worker for every model's decision, store the signals FOR the bar that opens at `closeMs`
// (bar_ts = closeMs: on time while that bar is open), then the consensus. Whatever the api cannot take is parked in
// the outbox with its idempotency key: a generated item is stored, parked, or (if it is itself invalid) logged.
//
// The series go through in chunks of `workerBatchSeries`, `workerConcurrency` chunks at a time, each chunk a short
// pipeline of four requests: one bars query (POST /api/marketdata/ohlcv/query), one POST /v1/predict/batch, one
// POST /api/signals/batch and one POST /api/consensus/batch. Requests per cycle grow with series / chunk, not with
// series × models, and while one chunk waits for the worker another is at the api, so api, worker and database
// work at the same time.
import {
  type ApiClient,
  chunk,
  classifyFailure,
  HttpError,
  type Logger,
  mapLimit,
  type RetryDeps,
  type WorkerClient,
  withRetry,
} from '@neuronetiq/client';
import {
  type ConsensusPayload,
  ConsensusPayloadSchema,
  idempotencyKeyFor,
  type SeriesPredictions,
  SIGNAL_BATCH_MAX,
  type SignalPayload,
  SignalPayloadSchema,
  TIMEFRAME_MS,
  type WorkerBarInput,
  type WorkerSeriesInput,
} from '@neuronetiq/contracts';
import type { OrchestratorConfig, SeriesConfig } from '../config';
import { CONSENSUS_RULE, computeConsensus, type Vote } from '../consensus/compute-consensus';
import type { WeightsForSeries } from '../consensus/track-record';
import type { OrchestratorMetrics } from '../metrics';
import type { BarWindows } from './bar-windows';

export interface ParkItem {
  kind: 'signal' | 'consensus';
  payload: SignalPayload | ConsensusPayload;
  idempotencyKey: string;
  error: string;
}

export interface CycleContext {
  config: OrchestratorConfig;
  api: ApiClient;
  worker: WorkerClient;
  metrics: OrchestratorMetrics;
  logger: Logger;
  /** Bars per series sent to the worker. */
  windowBars: number;
  /** Each series' window kept between closes, so that a close reads only the new bars. */
  windows: BarWindows;
  /** Consensus weights of each series for this cycle (undefined for a series: equal weights). */
  weights: WeightsForSeries;
  /** Puts an item in the outbox; never throws (holds it in memory if the database is down too). */
  park(item: ParkItem): Promise<void>;
  retryDeps: RetryDeps;
}

export type SignalResult = 'stored' | 'unchanged' | 'immutable' | 'rejected' | 'outboxed';
export type ConsensusResult = SignalResult;

/** Where a cycle's time went: busy milliseconds per phase, summed over chunks (chunks overlap, so the sum of the
 * phases may exceed the cycle's wall time). Real elapsed time, not the injected clock. */
export interface CyclePhases {
  barsMs: number;
  workerMs: number;
  signalsMs: number;
  consensusMs: number;
}

export interface CycleReport {
  closeMs: number;
  /** bar_ts of the signals: the bar that opened at the close. */
  barTs: string;
  /** Series whose close is dealt with (signals stored or parked, or no bar to decide on). */
  done: SeriesConfig[];
  /** Series to try again (bars or predictions could not be had). */
  failed: SeriesConfig[];
  noBar: SeriesConfig[];
  signals: Record<SignalResult, number>;
  consensus: Record<ConsensusResult, number>;
  durationMs: number;
  phases: CyclePhases;
}

interface Ready {
  series: SeriesConfig;
  bars: WorkerBarInput[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runCycle(
  ctx: CycleContext,
  closeMs: number,
  series: readonly SeriesConfig[],
  nowMs: () => number,
): Promise<CycleReport> {
  const started = nowMs();
  const { config, metrics } = ctx;
  const barTs = new Date(closeMs).toISOString();
  const report: CycleReport = {
    closeMs,
    barTs,
    done: [],
    failed: [],
    noBar: [],
    signals: { stored: 0, unchanged: 0, immutable: 0, rejected: 0, outboxed: 0 },
    consensus: { stored: 0, unchanged: 0, immutable: 0, rejected: 0, outboxed: 0 },
    durationMs: 0,
    phases: { barsMs: 0, workerMs: 0, signalsMs: 0, consensusMs: 0 },
  };
  const timed = async <T>(phase: keyof CyclePhases, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - t0;
      report.phases[phase] += ms;
      metrics.phaseDuration.observe({ phase: phase.slice(0, -2) }, ms / 1000);
    }
  };

  const runChunk = async (group: SeriesConfig[]): Promise<void> => {
    const ready = await timed('barsMs', () => readBars(ctx, report, closeMs, group));
    const predictions = await timed('workerMs', () => predict(ctx, report, ready));
    const { signals, consensus } = decide(ctx, report, barTs, predictions);
    const signalResults = await timed('signalsMs', () => store(ctx, 'signal', signals));
    for (const r of signalResults) {
      report.signals[r]++;
      metrics.signalsStored.inc({ result: r });
    }
    const consensusResults = await timed('consensusMs', () => store(ctx, 'consensus', consensus));
    for (const r of consensusResults) {
      report.consensus[r]++;
      metrics.consensusStored.inc({ result: r });
    }
  };
  // Series of one timeframe together: a chunk's bar reads then share one size (the bars new since the last close).
  const ordered = [...series].sort((a, b) => TIMEFRAME_MS[a.timeframe] - TIMEFRAME_MS[b.timeframe]);
  await mapLimit(chunk(ordered, config.workerBatchSeries), config.workerConcurrency, runChunk);
  report.done.push(...report.noBar);

  report.durationMs = nowMs() - started;
  metrics.seriesProcessed.inc({ outcome: 'ok' }, report.done.length - report.noBar.length);
  metrics.seriesProcessed.inc({ outcome: 'no_bar' }, report.noBar.length);
  metrics.seriesProcessed.inc({ outcome: 'failed' }, report.failed.length);
  return report;
}

function fail(ctx: CycleContext, report: CycleReport, s: SeriesConfig, stage: string, err: unknown): void {
  report.failed.push(s);
  ctx.logger.warn(
    { symbol: s.symbol, timeframe: s.timeframe, bar_ts: report.barTs, stage, err: message(err) },
    'series failed',
  );
}

/**
 * 1. The window of bars of each series, ending with the bar that just closed: one query per read size for the chunk
 * (the bars new since the cached window, or the whole window), then a whole read of any series whose cache disagreed.
 */
async function readBars(
  ctx: CycleContext,
  report: CycleReport,
  closeMs: number,
  group: readonly SeriesConfig[],
): Promise<Ready[]> {
  const { config } = ctx;
  const ready: Ready[] = [];
  const settled = new Set<SeriesConfig>();
  const accept = (s: SeriesConfig, bars: WorkerBarInput[]) => {
    settled.add(s);
    const last = bars.at(-1);
    if (!last || Date.parse(last.bar_ts) !== closeMs - TIMEFRAME_MS[s.timeframe]) {
      // No bar closed at this time (market closed, or the feed is behind the settle delay): nothing to decide on.
      report.noBar.push(s);
      return;
    }
    ready.push({ series: s, bars });
  };
  // Every series of the cycle closes at closeMs, so "bars opened before closeMs" ends each window with its own
  // closed bar whatever the timeframe (bar_ts is aligned: no bar of a series opens between its last close and now).
  const to = new Date(closeMs - 1).toISOString();
  const query = (list: SeriesConfig[], limit: number) =>
    withRetry(() => ctx.api.queryBars({ series: list, limit, to }), config.retry, ctx.retryDeps);
  try {
    const bySize = new Map<number, SeriesConfig[]>();
    for (const s of group) {
      const n = ctx.windows.need(s, closeMs);
      const list = bySize.get(n);
      if (list) list.push(s);
      else bySize.set(n, [s]);
    }
    const whole: SeriesConfig[] = [];
    for (const [limit, list] of bySize) {
      const answer = await query(list, limit);
      answer.forEach((a, i) => {
        const s = list[i] as SeriesConfig;
        const bars = ctx.windows.merge(s, limit, a.bars);
        if (bars) accept(s, bars);
        else whole.push(s);
      });
    }
    if (whole.length > 0) {
      const answer = await query(whole, ctx.windowBars);
      answer.forEach((a, i) => {
        const s = whole[i] as SeriesConfig;
        accept(s, ctx.windows.merge(s, ctx.windowBars, a.bars) ?? a.bars);
      });
    }
    return ready;
  } catch (err) {
    if (!(err instanceof HttpError && (err.status === 404 || err.status === 405))) {
      for (const s of group) {
        if (settled.has(s)) continue;
        ctx.windows.forget(s);
        fail(ctx, report, s, 'bars', err);
      }
      return ready;
    }
    // An api without the many-series query: one read per series.
  }
  await mapLimit(
    group.filter((s) => !settled.has(s)),
    config.apiConcurrency,
    async (s) => {
      try {
        const bars = await withRetry(
          () =>
            ctx.api.getBars({
              symbol: s.symbol,
              timeframe: s.timeframe,
              limit: ctx.windowBars,
              to: new Date(closeMs - TIMEFRAME_MS[s.timeframe]).toISOString(),
            }),
          config.retry,
          ctx.retryDeps,
        );
        accept(s, bars);
      } catch (err) {
        fail(ctx, report, s, 'bars', err);
      }
    },
  );
  return ready;
}

/** 2. Every model's decision for each series of the chunk, in one worker request. */
async function predict(
  ctx: CycleContext,
  report: CycleReport,
  ready: readonly Ready[],
): Promise<{ series: SeriesConfig; result: SeriesPredictions }[]> {
  const { config, metrics } = ctx;
  const out: { series: SeriesConfig; result: SeriesPredictions }[] = [];
  const run = async (group: readonly Ready[]): Promise<void> => {
    const body: WorkerSeriesInput[] = group.map((r) => ({
      symbol: r.series.symbol,
      timeframe: r.series.timeframe,
      bars: r.bars,
      ...(config.models ? { models: config.models } : {}),
    }));
    const end = metrics.workerLatency.startTimer();
    try {
      const results = await withRetry(() => ctx.worker.predictBatch(body), config.retry, ctx.retryDeps);
      end();
      results.forEach((result, i) => {
        out.push({ series: (group[i] as Ready).series, result });
      });
    } catch (err) {
      end();
      // One bad series must not sink the batch: a rejected batch is retried one series at a time.
      if (group.length > 1 && classifyFailure(err) === 'reject') {
        await mapLimit(group, config.workerConcurrency, (r) => run([r]));
        return;
      }
      for (const r of group) fail(ctx, report, r.series, 'worker', err);
    }
  };
  if (ready.length > 0) await run(ready);
  return out;
}

/** 3. One signal per model that answered; the consensus of each series from the same votes. */
function decide(
  ctx: CycleContext,
  report: CycleReport,
  barTs: string,
  predictions: readonly { series: SeriesConfig; result: SeriesPredictions }[],
): { signals: SignalPayload[]; consensus: ConsensusPayload[] } {
  const { config, logger } = ctx;
  const signals: SignalPayload[] = [];
  const consensus: ConsensusPayload[] = [];
  for (const { series: s, result } of predictions) {
    const votes: Vote[] = [];
    for (const p of result.predictions) {
      if ('error' in p) continue; // the model's warm-up is longer than the history: no decision, not a failure
      const parsed = SignalPayloadSchema.safeParse({
        owner: config.owner,
        model_id: p.model_id,
        symbol: s.symbol,
        timeframe: s.timeframe,
        bar_ts: barTs,
        decision: p.decision,
        confidence: p.confidence,
        meta: p.meta,
      });
      if (!parsed.success) {
        report.signals.rejected++;
        logger.error({ model_id: p.model_id, symbol: s.symbol, issues: parsed.error.issues }, 'invalid prediction');
        continue;
      }
      signals.push(parsed.data);
      votes.push({ model_id: p.model_id, decision: p.decision, confidence: p.confidence });
    }
    report.done.push(s);
    if (votes.length === 0) continue;
    const c = computeConsensus(votes, { weights: ctx.weights(s), minMargin: config.consensusMinMargin });
    consensus.push(
      ConsensusPayloadSchema.parse({
        owner: config.owner,
        symbol: s.symbol,
        timeframe: s.timeframe,
        bar_ts: barTs,
        decision: c.decision,
        confidence: c.confidence,
        contributors: c.contributors,
        meta: { rule: CONSENSUS_RULE, net: c.net, min_margin: config.consensusMinMargin },
      }),
    );
  }
  return { signals, consensus };
}

type Kind = 'signal' | 'consensus';
type PayloadOf<K extends Kind> = K extends 'signal' ? SignalPayload : ConsensusPayload;

/** One item on its own (`/store`, with its idempotency key); what the api cannot take right now is parked. */
async function deliverOne<K extends Kind>(ctx: CycleContext, kind: K, payload: PayloadOf<K>): Promise<SignalResult> {
  try {
    await withRetry(
      () =>
        kind === 'signal'
          ? ctx.api.storeSignal(payload as SignalPayload)
          : ctx.api.storeConsensus(payload as ConsensusPayload),
      ctx.config.retry,
      ctx.retryDeps,
    );
    return 'stored';
  } catch (err) {
    const cls = classifyFailure(err);
    if (cls === 'reject') {
      if (err instanceof HttpError && err.code === 'SIGNAL_IMMUTABLE') return 'immutable';
      ctx.logger.error({ kind, payload, err: message(err) }, `${kind} rejected by the api`);
      return 'rejected';
    }
    await ctx.park({ kind, payload, idempotencyKey: idempotencyKeyFor(payload), error: message(err) });
    return 'outboxed';
  }
}

/**
 * 4./5. Signals or consensus through the batch endpoint (one result per item), or one request per item in `single`
 * mode. A batch the api refuses as a whole (an api without the route) is sent item by item; a batch that cannot be
 * delivered (api unreachable after the retries) is parked item by item, each with its own idempotency key.
 */
async function store<K extends Kind>(ctx: CycleContext, kind: K, items: PayloadOf<K>[]): Promise<SignalResult[]> {
  const { config } = ctx;
  const single = (p: PayloadOf<K>) => deliverOne(ctx, kind, p);
  if (config.signalStoreMode === 'single') return mapLimit(items, config.apiConcurrency, single);

  const perBatch = await mapLimit(chunk(items, SIGNAL_BATCH_MAX), 1, async (batch): Promise<SignalResult[]> => {
    try {
      const { results } = await withRetry(
        () =>
          kind === 'signal'
            ? ctx.api.storeSignals(batch as SignalPayload[])
            : ctx.api.storeConsensusBatch(batch as ConsensusPayload[]),
        config.retry,
        ctx.retryDeps,
      );
      return results.map((r, i): SignalResult => {
        if (r.status !== 'rejected') return r.status;
        if (r.error === 'SIGNAL_IMMUTABLE') return 'immutable';
        ctx.logger.error(
          { kind, payload: batch[i], error: r.error, message: r.message },
          `${kind} rejected by the api`,
        );
        return 'rejected';
      });
    } catch (err) {
      if (classifyFailure(err) === 'reject') return mapLimit(batch, config.apiConcurrency, single);
      const error = message(err);
      return mapLimit(batch, config.apiConcurrency, async (p): Promise<SignalResult> => {
        await ctx.park({ kind, payload: p, idempotencyKey: idempotencyKeyFor(p), error });
        return 'outboxed';
      });
    }
  });
  return perBatch.flat();
}
