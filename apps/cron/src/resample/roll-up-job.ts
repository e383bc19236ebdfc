import type { Logger } from '@neuronetiq/client';
import { TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { createOhlcvRepository, type Db } from '@neuronetiq/db';
import type { CronMetrics } from '../metrics';
import { ROLL_UP_SOURCE, rollUpBars } from './roll-up-bars';

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

/**
 * One pass of the scheduled roll-up: every series whose 1m bars reach past its newest rolled-up bucket is rolled up
 * from that bucket (rebuilt, so 1m bars that arrived after it was written still count) to now.
 */
export async function rollUpNewBars(
  db: Db,
  options: Pick<RollUpJobOptions, 'timeframes' | 'lookbackMs'>,
  deps: { nowMs: number; metrics?: CronMetrics; logger?: Logger },
): Promise<RollUpRun> {
  const run: RollUpRun = { at: deps.nowMs, symbols: 0, written: {} };
  if (options.timeframes.length === 0) return run;
  const backlog = await createOhlcvRepository(db).findRollUpBacklog(db, {
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
    for (const tf of timeframes) {
      const n = report.written[tf] ?? 0;
      run.written[tf] = (run.written[tf] ?? 0) + n;
      deps.metrics?.barsRolledUp.inc({ timeframe: tf }, n);
    }
    const total = Object.values(report.written).reduce((a, b) => a + b, 0);
    if (total > 0) deps.logger?.info({ symbol, written: report.written }, 'bars rolled up from 1m');
  }
  return run;
}
