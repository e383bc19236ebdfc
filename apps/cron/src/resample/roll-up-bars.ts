import { type OhlcvBar, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { type Db, repos } from '@neuronetiq/db';
import { resampleBars } from '@neuronetiq/marketdata';

export const ROLL_UP_SOURCE: Timeframe = '1m';
/** About this many source bars per page read (rounded to whole buckets of the largest target). */
const PAGE_SOURCE_BARS = 10_000;

export interface RollUpOptions {
  symbol: string;
  /** Targets larger than 1m; each divides the next (all the contracts' timeframes do). */
  timeframes: readonly Timeframe[];
  /** The range to roll up, ms since the epoch: every target bucket overlapping [fromMs, toMs) is rebuilt. */
  fromMs: number;
  toMs: number;
  /** The clock: a bucket is written only once it has ended by then (an open bucket waits for a later run). */
  nowMs: number;
}

export interface RollUpReport {
  /** Bars inserted or changed, per target timeframe (0 when a rerun found everything in place). */
  written: Partial<Record<Timeframe, number>>;
  /** Closed buckets built, per target timeframe (written or already stored as they are). */
  built: Partial<Record<Timeframe, number>>;
  /** Built buckets with fewer source bars than a full one (holes in the 1m data); reported, never filled. */
  sparseBuckets: Partial<Record<Timeframe, number>>;
}

/** Throws a RangeError naming the first target that is not a timeframe larger than 1m. */
export function assertRollUpTargets(timeframes: readonly string[]): asserts timeframes is Timeframe[] {
  for (const tf of timeframes) {
    const ms = TIMEFRAME_MS[tf as Timeframe] as number | undefined;
    if (ms === undefined || ms <= TIMEFRAME_MS[ROLL_UP_SOURCE]) {
      throw new RangeError(`Cannot roll 1m bars up to "${tf}": the target must be a timeframe larger than 1m`);
    }
  }
}

/**
 * Rebuilds the target-timeframe bars of one symbol from its stored 1m bars over a range, and upserts them with the
 * importer's upsert: running it again changes nothing, and a corrected 1m bar changes its buckets on the next run.
 * The 1m bars are read in pages that start and end on bucket boundaries of the largest target, so every bucket of
 * every target is built from one page. Weekends and other holes produce no bars.
 */
export async function rollUpBars(db: Db, options: RollUpOptions): Promise<RollUpReport> {
  assertRollUpTargets(options.timeframes);
  const report: RollUpReport = { written: {}, built: {}, sparseBuckets: {} };
  for (const tf of options.timeframes) {
    report.written[tf] = 0;
    report.built[tf] = 0;
    report.sparseBuckets[tf] = 0;
  }
  if (options.timeframes.length === 0 || options.toMs <= options.fromMs) return report;
  const largestMs = Math.max(...options.timeframes.map((tf) => TIMEFRAME_MS[tf]));
  const pageMs = largestMs * Math.max(1, Math.floor((PAGE_SOURCE_BARS * TIMEFRAME_MS[ROLL_UP_SOURCE]) / largestMs));
  const endMs = Math.ceil(options.toMs / largestMs) * largestMs;

  for (let pageStart = Math.floor(options.fromMs / largestMs) * largestMs; pageStart < endMs; pageStart += pageMs) {
    const pageEnd = Math.min(pageStart + pageMs, endMs);
    // The table's CHECK constraint limits timeframe to the contracts' ones.
    const source = (await repos.ohlcv.findRange(db, {
      symbol: options.symbol,
      timeframe: ROLL_UP_SOURCE,
      from: new Date(pageStart).toISOString(),
      to: new Date(pageEnd).toISOString(),
    })) as OhlcvBar[];
    if (source.length === 0) continue;
    for (const tf of options.timeframes) {
      // `include` then dropping `open` buckets, rather than `exclude`: the page starts on a bucket boundary, so a
      // first bucket resample calls `truncated` only lacks its first minutes (no bars there), it is not cut off.
      const result = resampleBars(source, tf, { partial: 'include', asOfMs: options.nowMs });
      const open = result.partial.filter((p) => p.status === 'open');
      const openTs = new Set(open.map((p) => p.bar_ts));
      const closed = result.bars.filter((b) => !openTs.has(b.bar_ts));
      const sparse = result.sparseBuckets - open.filter((p) => p.sourceBars < p.expectedSourceBars).length;
      report.built[tf] = (report.built[tf] ?? 0) + closed.length;
      report.sparseBuckets[tf] = (report.sparseBuckets[tf] ?? 0) + sparse;
      report.written[tf] = (report.written[tf] ?? 0) + (await repos.ohlcv.upsert(db, closed));
    }
  }
  return report;
}
