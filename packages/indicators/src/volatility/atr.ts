import { assertPeriod, assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { HighLowClose, IndicatorStream } from '../types';

/**
 * Average true range with Wilder's smoothing, as TA-Lib `ATR`:
 *
 * - True range (from index 1) = max(high − low, |high − previous close|, |low − previous close|). Bar 0 has no
 *   previous close and no true range.
 * - Seed at index `period`: the mean of the true ranges of bars 1 … period. After: atr = (atr·(period−1) + TR) / period.
 * - Indices `0 … period-1` are NaN.
 * - NaN: recursive, so a NaN in any of high/low/close makes that output and every later one NaN.
 *
 * @throws RangeError if `period` is not an integer >= 1 or the three series differ in length.
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Float64Array {
  assertPeriod('atr', 'period', period);
  const n = assertSameLength('atr', { high, low, close });
  const h = toFloat64('atr', 'high', high);
  const l = toFloat64('atr', 'low', low);
  const c = toFloat64('atr', 'close', close);
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period, n));
  if (n <= period) return out;
  const pm1 = period - 1;
  let sum = 0;
  let pc = c[0] as number;
  // Math.max in this order: high − low is usually the largest, so V8's compare-and-branch inside Math.max predicts
  // well; comparing the two gaps first is a coin flip on real data and costs ~35% more.
  for (let i = 1; i <= period; i++) {
    const hi = h[i] as number;
    const lo = l[i] as number;
    sum += Math.max(hi - lo, Math.abs(hi - pc), Math.abs(lo - pc));
    pc = c[i] as number;
  }
  let a = sum / period;
  out[period] = a;
  for (let i = period + 1; i < n; i++) {
    const hi = h[i] as number;
    const lo = l[i] as number;
    const tr = Math.max(hi - lo, Math.abs(hi - pc), Math.abs(lo - pc));
    pc = c[i] as number;
    a = (a * pm1 + tr) / period;
    out[i] = a;
  }
  return out;
}

/** Streaming {@link atr}: O(1) per update. */
export class AtrStream implements IndicatorStream<HighLowClose, number> {
  readonly period: number;
  #count = 0;
  // "prev*" is the state after the bar before the last one; the rest after the last one (what replace() swaps).
  #prevClose = Number.NaN;
  #lastClose = Number.NaN;
  #prevAcc = 0;
  #acc = 0;
  #value = Number.NaN;

  constructor(period = 14) {
    assertPeriod('AtrStream', 'period', period);
    this.period = period;
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(bar: HighLowClose): number {
    this.#prevClose = this.#lastClose;
    this.#prevAcc = this.#acc;
    this.#count++;
    return this.#compute(bar.high, bar.low, bar.close);
  }

  replace(bar: HighLowClose): number {
    assertReplaceable('AtrStream', this.#count);
    return this.#compute(bar.high, bar.low, bar.close);
  }

  reset(): void {
    this.#count = 0;
    this.#prevClose = this.#lastClose = Number.NaN;
    this.#prevAcc = this.#acc = 0;
    this.#value = Number.NaN;
  }

  #compute(hi: number, lo: number, close: number): number {
    const p = this.period;
    const i = this.#count - 1;
    this.#lastClose = close;
    if (i === 0) {
      this.#value = Number.NaN;
      return this.#value;
    }
    const pc = this.#prevClose;
    const tr = Math.max(hi - lo, Math.abs(hi - pc), Math.abs(lo - pc));
    if (i < p) {
      this.#acc = this.#prevAcc + tr;
      this.#value = Number.NaN;
    } else if (i === p) {
      this.#acc = (this.#prevAcc + tr) / p;
      this.#value = this.#acc;
    } else {
      this.#acc = (this.#prevAcc * (p - 1) + tr) / p;
      this.#value = this.#acc;
    }
    return this.#value;
  }
}
