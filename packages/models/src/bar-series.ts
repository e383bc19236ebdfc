import {
  adx,
  atr,
  bollinger,
  cci,
  ema,
  macd,
  obv,
  roc,
  rsi,
  sma,
  stochastic,
  vwap,
  williamsR,
  wma,
} from '@neuronetiq/indicators';
import type { Bar } from './types';

type Bands = { upper: Float64Array; middle: Float64Array; lower: Float64Array };
type Macd = { macd: Float64Array; signal: Float64Array; histogram: Float64Array };
type Stochastic = { k: Float64Array; d: Float64Array };

/** Columns of a series of bars, oldest first. */
export interface BarColumns {
  /** Open time of each bar, epoch milliseconds UTC. */
  readonly barTsMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** NaN where the source has no volume. */
  readonly volume: Float64Array;
}

/**
 * Bars as columns, with every indicator series computed at most once per parameter set. Models receive one
 * `BarSeries` per request series, so five models that all read RSI(14) or EMA(20) compute it once.
 */
export class BarSeries implements BarColumns {
  readonly barTsMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly length: number;
  readonly #cache = new Map<string, unknown>();

  constructor(columns: BarColumns) {
    this.barTsMs = columns.barTsMs;
    this.open = columns.open;
    this.high = columns.high;
    this.low = columns.low;
    this.close = columns.close;
    this.volume = columns.volume;
    this.length = columns.close.length;
  }

  static fromBars(bars: readonly Bar[]): BarSeries {
    const n = bars.length;
    const columns = {
      barTsMs: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const bar = bars[i] as Bar;
      columns.barTsMs[i] = Date.parse(bar.bar_ts);
      columns.open[i] = bar.open;
      columns.high[i] = bar.high;
      columns.low[i] = bar.low;
      columns.close[i] = bar.close;
      columns.volume[i] = bar.volume ?? Number.NaN;
    }
    return new BarSeries(columns);
  }

  static from(bars: readonly Bar[] | BarSeries): BarSeries {
    return bars instanceof BarSeries ? bars : BarSeries.fromBars(bars);
  }

  /** Bars `start` (inclusive) to `end` (exclusive) as a new series over the same memory; its cache starts empty. */
  slice(start: number, end: number = this.length): BarSeries {
    return new BarSeries({
      barTsMs: this.barTsMs.subarray(start, end),
      open: this.open.subarray(start, end),
      high: this.high.subarray(start, end),
      low: this.low.subarray(start, end),
      close: this.close.subarray(start, end),
      volume: this.volume.subarray(start, end),
    });
  }

  /** The last `count` bars (all of them when there are fewer). */
  tail(count: number): BarSeries {
    return count >= this.length ? this : this.slice(this.length - count);
  }

  #memo<T>(key: string, compute: () => T): T {
    let value = this.#cache.get(key) as T | undefined;
    if (value === undefined) {
      value = compute();
      this.#cache.set(key, value);
    }
    return value;
  }

  sma(period: number): Float64Array {
    return this.#memo(`sma:${period}`, () => sma(this.close, period));
  }
  ema(period: number): Float64Array {
    return this.#memo(`ema:${period}`, () => ema(this.close, period));
  }
  wma(period: number): Float64Array {
    return this.#memo(`wma:${period}`, () => wma(this.close, period));
  }
  rsi(period: number): Float64Array {
    return this.#memo(`rsi:${period}`, () => rsi(this.close, period));
  }
  roc(period: number): Float64Array {
    return this.#memo(`roc:${period}`, () => roc(this.close, period));
  }
  macd(fast: number, slow: number, signal: number): Macd {
    return this.#memo(`macd:${fast}:${slow}:${signal}`, () => macd(this.close, fast, slow, signal));
  }
  bollinger(period: number, stddev: number): Bands {
    return this.#memo(`bollinger:${period}:${stddev}`, () => bollinger(this.close, period, stddev));
  }
  atr(period: number): Float64Array {
    return this.#memo(`atr:${period}`, () => atr(this.high, this.low, this.close, period));
  }
  adx(period: number): Float64Array {
    return this.#memo(`adx:${period}`, () => adx(this.high, this.low, this.close, period));
  }
  cci(period: number): Float64Array {
    return this.#memo(`cci:${period}`, () => cci(this.high, this.low, this.close, period));
  }
  williamsR(period: number): Float64Array {
    return this.#memo(`williamsR:${period}`, () => williamsR(this.high, this.low, this.close, period));
  }
  stochastic(kPeriod: number, kSmoothing: number, dPeriod: number): Stochastic {
    return this.#memo(`stochastic:${kPeriod}:${kSmoothing}:${dPeriod}`, () =>
      stochastic(this.high, this.low, this.close, kPeriod, kSmoothing, dPeriod),
    );
  }
  obv(): Float64Array {
    return this.#memo('obv', () => obv(this.close, this.volume));
  }
  vwap(): Float64Array {
    return this.#memo('vwap', () => vwap(this.high, this.low, this.close, this.volume));
  }
}

/** Value at `index` from the end (0 = last bar); NaN outside the series. */
export function fromEnd(values: Float64Array, index = 0): number {
  return values[values.length - 1 - index] ?? Number.NaN;
}
