// A demo history: the worker's models run over the bars already stored (the cron's backfilled bars on a first
// `npm start`), as the orchestrator would have run them live, so that track records are not empty on day one.
// Every signal it stores is flagged `backfilled`, received "on time" at its bar's open (a simulated call), scored like
// a live one and always shown apart from live results. Each bar's calls also make that bar's consensus (the live
// rule, every weight 1: no track record existed then), flagged `backfilled` too, so that the trading view has a
// consensus on a first start. Only bars that have closed get one: the open bar is the live orchestrator's.
import type { Logger, WorkerClient } from '@neuronetiq/client';
import {
  type ConsensusPayload,
  type SignalPayload,
  TIMEFRAME_MS,
  type Timeframe,
  type WorkerSeriesInput,
} from '@neuronetiq/contracts';
import { type Db, repos } from '@neuronetiq/db';
import { CONSENSUS_RULE, computeConsensus, DEFAULT_MIN_MARGIN, type Vote } from '../consensus/compute-consensus';

export interface BackfillOptions {
  owner: string;
  series: readonly { symbol: string; timeframe: Timeframe }[];
  /** Newest bars of each series looked at (at most 5000). */
  maxBars: number;
  /** Windows sent to the worker per request. */
  windowsPerRequest?: number;
  /** The clock: bars whose close is after it are not backfilled. */
  nowMs: number;
  /** Register the worker's models for `owner` (public) where they are not registered yet. */
  registerModels?: boolean;
}

export interface BackfillReport {
  stored: number;
  /** Consensus rows stored (one per bar with at least one call). */
  consensus: number;
  scored: number;
  series: { symbol: string; timeframe: Timeframe; bars: number; windows: number }[];
}

export async function backfillSignals(
  deps: { db: Db; worker: WorkerClient; logger?: Logger },
  options: BackfillOptions,
): Promise<BackfillReport> {
  const { db, worker } = deps;
  const models = await worker.models();
  if (options.registerModels) {
    for (const m of models) {
      await repos.models.register(db, {
        owner: options.owner,
        model_id: m.id,
        name: m.id,
        description: `${m.description} (built-in model v${m.version})`.slice(0, 2000),
        visibility: 'public',
      });
    }
  }
  // The same window the live orchestrator sends: enough bars for the hungriest model.
  const windowBars = Math.max(1, ...models.map((m) => m.required_bars));
  const report: BackfillReport = { stored: 0, consensus: 0, scored: 0, series: [] };
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;

  for (const s of options.series) {
    const len = TIMEFRAME_MS[s.timeframe];
    const bars = (await repos.ohlcv.find(db, { symbol: s.symbol, tf: s.timeframe, limit: options.maxBars })).reverse();
    const resumeAt = await repos.signals.newestBackfilledBar(db, { owner: options.owner, ...s });
    const resumeMs = resumeAt ? Date.parse(resumeAt) : Number.NEGATIVE_INFINITY;
    // Window i ends with bar i and is a call on the bar after it, when that bar is stored and closed.
    const windows: { target: string; input: WorkerSeriesInput }[] = [];
    for (let i = 0; i + 1 < bars.length; i++) {
      const next = bars[i + 1] as (typeof bars)[number];
      const nextMs = Date.parse(next.bar_ts);
      if (nextMs !== Date.parse((bars[i] as (typeof bars)[number]).bar_ts) + len) continue;
      if (nextMs <= resumeMs || nextMs + len > options.nowMs) continue;
      windows.push({
        target: next.bar_ts,
        input: {
          symbol: s.symbol,
          timeframe: s.timeframe,
          bars: bars.slice(Math.max(0, i + 1 - windowBars), i + 1).map((b) => ({
            bar_ts: b.bar_ts,
            open: b.open,
            high: b.high,
            low: b.low,
            close: b.close,
            volume: b.volume,
          })),
        },
      });
    }
    const per = options.windowsPerRequest ?? 50;
    for (let k = 0; k < windows.length; k += per) {
      const chunk = windows.slice(k, k + per);
      const results = await worker.predictBatch(chunk.map((w) => w.input));
      const rows: SignalPayload[] = [];
      const consensus: ConsensusPayload[] = [];
      results.forEach((r, j) => {
        const target = (chunk[j] as (typeof chunk)[number]).target;
        const votes: Vote[] = [];
        for (const p of r.predictions) {
          if (!('decision' in p)) continue; // still warming up
          votes.push({ model_id: p.model_id, decision: p.decision, confidence: p.confidence });
          rows.push({
            owner: options.owner,
            model_id: p.model_id,
            symbol: s.symbol,
            timeframe: s.timeframe,
            bar_ts: target,
            decision: p.decision,
            confidence: p.confidence,
            meta: { ...p.meta, backfilled: true },
          });
        }
        if (votes.length === 0) return;
        const c = computeConsensus(votes, { minMargin: DEFAULT_MIN_MARGIN });
        consensus.push({
          owner: options.owner,
          symbol: s.symbol,
          timeframe: s.timeframe,
          bar_ts: target,
          decision: c.decision,
          confidence: c.confidence,
          contributors: c.contributors,
          meta: { rule: CONSENSUS_RULE, net: c.net, min_margin: DEFAULT_MIN_MARGIN, backfilled: true },
        });
      });
      report.stored += await repos.signals.storeBackfilled(db, rows);
      report.consensus += await repos.consensus.storeBackfilled(db, consensus);
    }
    if (windows.length) {
      firstMs = Math.min(firstMs, Date.parse((windows[0] as (typeof windows)[number]).target));
      lastMs = Math.max(lastMs, Date.parse((windows.at(-1) as (typeof windows)[number]).target));
    }
    report.series.push({ ...s, bars: bars.length, windows: windows.length });
  }
  // Their bars are stored already, so the scoring trigger never saw them: score the range now.
  if (report.stored > 0) report.scored = await repos.performance.scoreSignals(db, firstMs, lastMs);
  deps.logger?.info(
    { stored: report.stored, consensus: report.consensus, scored: report.scored },
    'backfilled signals stored and scored',
  );
  return report;
}
