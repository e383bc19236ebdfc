import type { Logger } from '@neuronetiq/client';
import { TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { type Db, type DirtyRange, repos } from '@neuronetiq/db';
import type { CronMetrics } from '../metrics';
import { ROLL_UP_SOURCE, type RollUpReport, rollUpBars } from './roll-up-bars';

export interface RollUpJobOptions {
  /** Targets rolled up from 1m; empty: the job is off. */
  timeframes: readonly Timeframe[];
  intervalMs: number;
  /** How far back a target with no bars yet starts (older history: `npm run import -- … --resample`). */
  lookbackMs: number;
}

export interface RollUpRun {
  /** Clock time of the pass (ms). */
  at: number;
  symbols: number;
  /** Bars inserted or changed, per target. */
  written: Partial<Record<Timeframe, number>>;
}

/** Ranges claimed per pass (one row per symbol and write statement); any more wait for the next pass. */
const DIRTY_CLAIM_LIMIT = 10_000;
/** How long a claim holds: a pass that died without deleting or releasing its ranges leaves them to a later one. */
const DIRTY_LEASE_SECONDS = 600;

/**
 * The claimed ranges of one symbol as ms intervals [fromMs, toMs) of 1m bar time, sorted, with those that share or
 * touch a bucket of the largest target merged (each is then read once).
 */
export function mergeDirtyRanges(ranges: readonly Pick<DirtyRange, 'from_ts' | 'to_ts'>[], largestMs: number) {
  const sorted = ranges
    .map((r) => ({ fromMs: Date.parse(r.from_ts), toMs: Date.parse(r.to_ts) + TIMEFRAME_MS[ROLL_UP_SOURCE] }))
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: { fromMs: number; toMs: number }[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && Math.floor(r.fromMs / largestMs) * largestMs <= Math.ceil(last.toMs / largestMs) * largestMs) {
      last.toMs = Math.max(last.toMs, r.toMs);
    } else {
      merged.push({ ...r });
    }
  }
  return merged;
}

function count(run: RollUpRun, written: RollUpReport['written'], timeframes: readonly Timeframe[], deps: JobDeps) {
  for (const tf of timeframes) {
    const n = written[tf] ?? 0;
    run.written[tf] = (run.written[tf] ?? 0) + n;
    deps.metrics?.barsRolledUp.inc({ timeframe: tf }, n);
  }
}

type JobDeps = { nowMs: number; metrics?: CronMetrics; logger?: Logger };

/**
 * Rolls up again the 1m ranges the database recorded as written (market.rollup_dirty: corrected bars, late ones,
 * re-imports), wherever they are: every closed bucket of every target that holds one is rebuilt. A target whose
 * bucket holding the range is still open is left to the forward pass, which builds it once it has closed (nothing
 * writes a bucket before then). The ranges of a symbol are deleted once it is rolled up; on an error the ones not yet
 * rolled up are released for the next pass, and the error is thrown.
 */
async function rollUpDirtyRanges(db: Db, timeframes: readonly Timeframe[], run: RollUpRun, deps: JobDeps) {
  const claimed = await repos.rollUpDirty.claim(db, { limit: DIRTY_CLAIM_LIMIT, leaseSeconds: DIRTY_LEASE_SECONDS });
  if (claimed.length === 0) return;
  const bySymbol = new Map<string, DirtyRange[]>();
  for (const r of claimed) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
  const pending = new Set(claimed.map((r) => r.id));
  const largestMs = Math.max(...timeframes.map((tf) => TIMEFRAME_MS[tf]));
  try {
    for (const [symbol, ranges] of bySymbol) {
      const written: RollUpReport['written'] = {};
      for (const { fromMs, toMs } of mergeDirtyRanges(ranges, largestMs)) {
        const closed = timeframes.filter((tf) => {
          const ms = TIMEFRAME_MS[tf];
          return Math.floor(fromMs / ms) * ms + ms <= deps.nowMs;
        });
        if (closed.length === 0) continue;
        const report = await rollUpBars(db, {
          symbol,
          timeframes: closed,
          fromMs,
          toMs: Math.min(toMs, deps.nowMs),
          nowMs: deps.nowMs,
        });
        for (const tf of closed) written[tf] = (written[tf] ?? 0) + (report.written[tf] ?? 0);
      }
      await repos.rollUpDirty.remove(
        db,
        ranges.map((r) => r.id),
      );
      for (const r of ranges) pending.delete(r.id);
      count(run, written, timeframes, deps);
      const total = Object.values(written).reduce((a, b) => a + b, 0);
      if (total > 0) deps.logger?.info({ symbol, written }, 'bars rolled up again from corrected or late 1m bars');
    }
  } catch (err) {
    // Best effort: if this fails too, the lease runs out and a later pass claims them.
    await repos.rollUpDirty.release(db, [...pending]).catch(() => {});
    throw err;
  }
}

/**
 * One pass of the scheduled roll-up. First the 1m ranges written since the last pass into buckets already rolled up
 * (corrected or late bars; recorded by a trigger on market.ohlcv) are rolled up again; then every series whose 1m bars
 * reach past its newest rolled-up bucket is rolled up from that bucket (rebuilt, so 1m bars that arrived after it was
 * written still count) to now.
 */
export async function rollUpNewBars(
  db: Db,
  options: Pick<RollUpJobOptions, 'timeframes' | 'lookbackMs'>,
  deps: JobDeps,
): Promise<RollUpRun> {
  const run: RollUpRun = { at: deps.nowMs, symbols: 0, written: {} };
  if (options.timeframes.length === 0) {
    // Roll-up is off: nothing will ever consume the ranges the trigger records, so they are dropped as they come.
    const claimed = await repos.rollUpDirty.claim(db, { limit: DIRTY_CLAIM_LIMIT, leaseSeconds: DIRTY_LEASE_SECONDS });
    if (claimed.length > 0)
      await repos.rollUpDirty.remove(
        db,
        claimed.map((r) => r.id),
      );
    return run;
  }
  await rollUpDirtyRanges(db, options.timeframes, run, deps);
  const backlog = await repos.ohlcv.findRollUpBacklog(db, {
    source: ROLL_UP_SOURCE,
    targets: options.timeframes.map((tf) => ({ timeframe: tf, ms: TIMEFRAME_MS[tf] })),
  });
  const bySymbol = new Map<string, { timeframes: Timeframe[]; fromMs: number }>();
  for (const row of backlog) {
    const fromMs = row.newest ? Date.parse(row.newest) : deps.nowMs - options.lookbackMs;
    const entry = bySymbol.get(row.symbol) ?? { timeframes: [], fromMs };
    entry.timeframes.push(row.timeframe as Timeframe);
    entry.fromMs = Math.min(entry.fromMs, fromMs);
    bySymbol.set(row.symbol, entry);
  }
  for (const [symbol, { timeframes, fromMs }] of bySymbol) {
    const report = await rollUpBars(db, { symbol, timeframes, fromMs, toMs: deps.nowMs, nowMs: deps.nowMs });
    run.symbols++;
    count(run, report.written, timeframes, deps);
    const total = Object.values(report.written).reduce((a, b) => a + b, 0);
    if (total > 0) deps.logger?.info({ symbol, written: report.written }, 'bars rolled up from 1m');
  }
  return run;
}
