import { assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

export interface MacdResult {
  /** fast EMA − slow EMA. */
  readonly macd: Float64Array;
  /** EMA of `macd` over `signal` bars. */
  readonly signal: Float64Array;
  /** macd − signal. */
  readonly histogram: Float64Array;
}

export interface MacdValue {
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
}

function checkMacdPeriods(fn: string, fast: number, slow: number, signal: number): void {
  assertPeriod(fn, 'fast', fast);
  assertPeriod(fn, 'slow', slow);
  assertPeriod(fn, 'signal', signal);
  if (fast >= slow) {
    // TA-Lib silently swaps the two; a swapped call is almost always a bug, so it is refused here.
    throw new RangeError(`${fn}: fast must be less than slow (got fast ${fast}, slow ${slow})`);
  }
}

/**
 * Moving average convergence/divergence exactly as TA-Lib `MACD` defines it, alignment included:
 *
 * - Both EMAs start at index `slow-1`. The slow EMA is seeded with the mean of values `0 … slow-1`; the fast EMA
 *   is seeded with the mean of values `slow-fast … slow-1` (NOT of the first `fast` values: TA-Lib aligns the fast
 *   EMA to the slow one's start, so a standalone `ema(values, fast)` differs from the fast line here).
 * - Each EMA: `e = (x − e)·k + e`, k = 2/(period+1). macd = fastEMA − slowEMA from index `slow-1`.
 * - signal = EMA(`signal`) of the macd line, seeded with the mean of its first `signal` values, so its first value
 *   is at index `slow + signal − 2` (33 for 12/26/9).
 * - All three outputs are NaN before index `slow + signal − 2`, as TA-Lib reports them (the macd line could be
 *   shown from `slow-1`, but TA-Lib's outputs share one start index and this function matches them index for index).
 * - NaN: recursive, so a NaN input makes every later output NaN.
 *
 * @throws RangeError if a period is not an integer >= 1 or `fast >= slow`; TypeError if `values` is not array-like.
 */
export function macd(values: ArrayLike<number>, fast = 12, slow = 26, signal = 9): MacdResult {
  checkMacdPeriods('macd', fast, slow, signal);
  const x = toFloat64('macd', 'values', values);
  const n = x.length;
  const outMacd = new Float64Array(n);
  const outSignal = new Float64Array(n);
  const outHist = new Float64Array(n);
  const start = slow + signal - 2;
  const warm = Math.min(start, n);
  outMacd.fill(Number.NaN, 0, warm);
  outSignal.fill(Number.NaN, 0, warm);
  outHist.fill(Number.NaN, 0, warm);
  if (n <= start) return { macd: outMacd, signal: outSignal, histogram: outHist };

  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (signal + 1);
  let sumSlow = 0;
  let sumFast = 0;
  for (let i = 0; i < slow; i++) {
    const v = x[i] as number;
    sumSlow += v;
    if (i >= slow - fast) sumFast += v;
  }
  let eFast = sumFast / fast;
  let eSlow = sumSlow / slow;
  let sumSig = eFast - eSlow;
  for (let i = slow; i < start; i++) {
    const v = x[i] as number;
    eFast = (v - eFast) * kf + eFast;
    eSlow = (v - eSlow) * ks + eSlow;
    sumSig += eFast - eSlow;
  }
  if (start > slow - 1) {
    const v = x[start] as number;
    eFast = (v - eFast) * kf + eFast;
    eSlow = (v - eSlow) * ks + eSlow;
    sumSig += eFast - eSlow;
  }
  let m = eFast - eSlow;
  let sig = sumSig / signal;
  outMacd[start] = m;
  outSignal[start] = sig;
  outHist[start] = m - sig;
  for (let i = start + 1; i < n; i++) {
    const v = x[i] as number;
    eFast = (v - eFast) * kf + eFast;
    eSlow = (v - eSlow) * ks + eSlow;
    m = eFast - eSlow;
    sig = (m - sig) * kg + sig;
    outMacd[i] = m;
    outSignal[i] = sig;
    outHist[i] = m - sig;
  }
  return { macd: outMacd, signal: outSignal, histogram: outHist };
}

const NAN_MACD: MacdValue = Object.freeze({ macd: Number.NaN, signal: Number.NaN, histogram: Number.NaN });

/** Streaming {@link macd}: O(1) per update; each call returns a new small result object. */
export class MacdStream implements IndicatorStream<number, MacdValue> {
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  readonly #kf: number;
  readonly #ks: number;
  readonly #kg: number;
  #count = 0;
  // "prev*" is the state after the bar before the last one; the rest after the last one (what replace() swaps).
  #prevSumFast = 0;
  #prevSumSlow = 0;
  #prevSumSig = 0;
  #prevFast = 0;
  #prevSlow = 0;
  #prevSig = 0;
  #sumFast = 0;
  #sumSlow = 0;
  #sumSig = 0;
  #eFast = 0;
  #eSlow = 0;
  #sig = 0;
  #value: MacdValue = NAN_MACD;

  constructor(fast = 12, slow = 26, signal = 9) {
    checkMacdPeriods('MacdStream', fast, slow, signal);
    this.fast = fast;
    this.slow = slow;
    this.signal = signal;
    this.#kf = 2 / (fast + 1);
    this.#ks = 2 / (slow + 1);
    this.#kg = 2 / (signal + 1);
  }

  get value(): MacdValue {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(value: number): MacdValue {
    this.#prevSumFast = this.#sumFast;
    this.#prevSumSlow = this.#sumSlow;
    this.#prevSumSig = this.#sumSig;
    this.#prevFast = this.#eFast;
    this.#prevSlow = this.#eSlow;
    this.#prevSig = this.#sig;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): MacdValue {
    assertReplaceable('MacdStream', this.#count);
    return this.#compute(value);
  }

  reset(): void {
    this.#count = 0;
    this.#prevSumFast = this.#prevSumSlow = this.#prevSumSig = 0;
    this.#prevFast = this.#prevSlow = this.#prevSig = 0;
    this.#sumFast = this.#sumSlow = this.#sumSig = 0;
    this.#eFast = this.#eSlow = this.#sig = 0;
    this.#value = NAN_MACD;
  }

  #compute(x: number): MacdValue {
    const { fast, slow, signal } = this;
    const i = this.#count - 1;
    const start = slow + signal - 2;
    if (i < slow) {
      this.#sumSlow = this.#prevSumSlow + x;
      this.#sumFast = i >= slow - fast ? this.#prevSumFast + x : 0;
      if (i < slow - 1) {
        this.#value = NAN_MACD;
        return this.#value;
      }
      this.#eFast = this.#sumFast / fast;
      this.#eSlow = this.#sumSlow / slow;
    } else {
      this.#eFast = (x - this.#prevFast) * this.#kf + this.#prevFast;
      this.#eSlow = (x - this.#prevSlow) * this.#ks + this.#prevSlow;
    }
    const m = this.#eFast - this.#eSlow;
    if (i < start) {
      this.#sumSig = i === slow - 1 ? m : this.#prevSumSig + m;
      this.#value = NAN_MACD;
      return this.#value;
    }
    if (i === start) {
      this.#sig = (start === slow - 1 ? m : this.#prevSumSig + m) / signal;
    } else {
      this.#sig = (m - this.#prevSig) * this.#kg + this.#prevSig;
    }
    this.#value = { macd: m, signal: this.#sig, histogram: m - this.#sig };
    return this.#value;
  }
}
