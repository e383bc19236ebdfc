import { barStart, type OhlcvBar, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';

/**
 * Where a bucket of the target timeframe stands:
 * - `complete`: the input covers its whole interval (a later bar, or `asOfMs`, proves it has closed);
 * - `open`: the last bucket, still forming (no later bar and `asOfMs` before its end);
 * - `truncated`: the first bucket, when the input starts after its start (earlier source bars may exist outside the input).
 * Missing source bars inside an otherwise complete bucket (a feed hiccup, the FX weekend) do not make it partial:
 * the bucket aggregates the bars that exist, and `sourceBars` says how many that was.
 */
export type BucketStatus = 'complete' | 'open' | 'truncated';

export interface BucketInfo {
  bar_ts: string;
  status: BucketStatus;
  sourceBars: number;
  /** Source bars a bucket without holes holds (e.g. 5 for 1m → 5m). */
  expectedSourceBars: number;
}

export interface ResampleOptions {
  /** `exclude` (default) leaves `open` and `truncated` buckets out of `bars`; `include` keeps them. Both list them in `partial`. */
  partial?: 'exclude' | 'include';
  /** The time the input is known to be complete up to (e.g. now): an `open` last bucket ending by then is complete. */
  asOfMs?: number;
}

export interface ResampleResult {
  bars: OhlcvBar[];
  /** Buckets that were `open` or `truncated`, whether or not they are in `bars`. */
  partial: BucketInfo[];
  /** Buckets in `bars` built from fewer source bars than a full bucket holds (holes in the source). */
  sparseBuckets: number;
}

/**
 * Aggregates bars into a larger timeframe: open of the first bar, max high, min low, close of the last, summed
 * volume (null when any source volume is null: an unknown part makes the total unknown). Buckets start on the
 * UTC boundaries of the target timeframe (1d at 00:00 UTC, as the contracts define). Only buckets that hold at
 * least one source bar exist: a weekend produces no bars, flat or otherwise.
 * The input must be one symbol, one timeframe that divides the target, ascending and unique.
 */
export function resampleBars(bars: readonly OhlcvBar[], to: Timeframe, options: ResampleOptions = {}): ResampleResult {
  const first = bars[0];
  if (first === undefined) return { bars: [], partial: [], sparseBuckets: 0 };
  const resampler = createResampler(first.symbol, first.timeframe, to);
  const out: OhlcvBar[] = [];
  const partial: BucketInfo[] = [];
  let sparseBuckets = 0;
  const include = options.partial === 'include';
  const take = (closed: ClosedBucket) => {
    if (closed.info.status !== 'complete') partial.push(closed.info);
    if (closed.info.status === 'complete' || include) {
      out.push(closed.bar);
      if (closed.info.sourceBars < closed.info.expectedSourceBars) sparseBuckets++;
    }
  };
  for (const bar of bars) for (const closed of resampler.push(bar)) take(closed);
  for (const closed of resampler.flush(options.asOfMs)) take(closed);
  return { bars: out, partial, sparseBuckets };
}

/**
 * A sum of decimal volumes in binary floating point picks up noise in its last digits (4328.25 + … + 908.69 =
 * 5236.9400000000005). Volumes carry far fewer than 15 significant digits, so rounding the total to 15 gives the exact
 * decimal sum back; prices are never summed (first, max, min, last), so they need no such care.
 */
const withoutFloatNoise = (v: number) => Number(v.toPrecision(15));

export interface ClosedBucket {
  bar: OhlcvBar;
  info: BucketInfo;
}

export interface Resampler {
  /** Adds the next source bar; returns the bucket it closed, if any (a later bucket started). */
  push(bar: OhlcvBar): ClosedBucket[];
  /** Emits the bucket in progress: `complete` when `asOfMs` is at or after its end, else `open`. */
  flush(asOfMs?: number): ClosedBucket[];
}

/** Incremental form of resampleBars, for feeds that receive 1m bars one at a time. */
export function createResampler(symbol: string, from: Timeframe, to: Timeframe): Resampler {
  const fromMs = TIMEFRAME_MS[from];
  const toMs = TIMEFRAME_MS[to];
  if (toMs <= fromMs || toMs % fromMs !== 0) {
    throw new RangeError(`Cannot resample ${from} to ${to}: the target must be a larger multiple of the source`);
  }
  const expected = toMs / fromMs;
  let bucket: {
    start: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number | null;
    n: number;
    truncated: boolean;
  } | null = null;
  let lastTs = Number.NEGATIVE_INFINITY;

  const close = (status: BucketStatus): ClosedBucket => {
    const b = bucket as NonNullable<typeof bucket>;
    const bar_ts = new Date(b.start).toISOString();
    return {
      bar: {
        symbol,
        timeframe: to,
        bar_ts,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume === null ? null : withoutFloatNoise(b.volume),
      },
      info: {
        bar_ts,
        status: b.truncated && status === 'complete' ? 'truncated' : status,
        sourceBars: b.n,
        expectedSourceBars: expected,
      },
    };
  };

  return {
    push(bar) {
      if (bar.symbol !== symbol || bar.timeframe !== from) {
        throw new RangeError(`Resampler for ${symbol} ${from} got a ${bar.symbol} ${bar.timeframe} bar`);
      }
      const ts = Date.parse(bar.bar_ts);
      if (ts <= lastTs)
        throw new RangeError(`Bars must be ascending and unique: ${bar.bar_ts} is not after the previous bar`);
      const isFirst = lastTs === Number.NEGATIVE_INFINITY;
      lastTs = ts;
      const start = barStart(ts, to);
      const out: ClosedBucket[] = [];
      if (bucket !== null && bucket.start !== start) {
        out.push(close('complete'));
        bucket = null;
      }
      if (bucket === null) {
        bucket = {
          start,
          open: bar.open,
          high: bar.high,
          low: bar.low,
          close: bar.close,
          volume: bar.volume,
          n: 1,
          truncated: isFirst && ts !== start,
        };
      } else {
        if (bar.high > bucket.high) bucket.high = bar.high;
        if (bar.low < bucket.low) bucket.low = bar.low;
        bucket.close = bar.close;
        bucket.volume = bucket.volume === null || bar.volume === null ? null : bucket.volume + bar.volume;
        bucket.n++;
      }
      return out;
    },
    flush(asOfMs) {
      if (bucket === null) return [];
      // The last source bar ending on the bucket's end, or a clock past it, proves the bucket closed.
      const end = bucket.start + toMs;
      const isClosed = lastTs + fromMs >= end || (asOfMs !== undefined && asOfMs >= end);
      const closed = close(isClosed ? 'complete' : 'open');
      bucket = null;
      return [closed];
    },
  };
}
