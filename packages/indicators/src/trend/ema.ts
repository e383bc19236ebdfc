import { assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

/**
 * Exponential moving average with TA-Lib's (`EMA`, default compatibility) seeding: the first value, at index
 * `period-1`, is the simple mean of the first `period` values; after it `ema = (x - ema) * k + ema` with
 * `k = 2 / (period + 1)`. Indices `0 … period-2` are NaN.
 *
 * NaN: the EMA carries every earlier value, so a NaN input makes that output and every later one NaN (clean the
 * series, or start a new one, after a gap).
 *
 * @throws RangeError if `period` is not an integer >= 1; TypeError if `values` is not array-like.
 */
export function ema(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod('ema', 'period', period);
  const x = toFloat64('ema', 'values', values);
  const n = x.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period - 1, n));
  if (n < period) return out;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = 0; i < period; i++) sum += x[i] as number;
  let e = sum / period;
  out[period - 1] = e;
  for (let i = period; i < n; i++) {
    e = ((x[i] as number) - e) * k + e;
    out[i] = e;
  }
  return out;
}

/** Streaming {@link ema}: O(1) per update. */
export class EmaStream implements IndicatorStream<number, number> {
  readonly period: number;
  readonly #k: number;
  #count = 0;
  // "prev" is the state after the bar before the last one; "cur" after the last one (the one replace() swaps).
  #prevSum = 0;
  #sum = 0;
  #prevEma = Number.NaN;
  #value = Number.NaN;

  constructor(period: number) {
    assertPeriod('EmaStream', 'period', period);
    this.period = period;
    this.#k = 2 / (period + 1);
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(value: number): number {
    this.#prevSum = this.#sum;
    this.#prevEma = this.#value;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): number {
    assertReplaceable('EmaStream', this.#count);
    return this.#compute(value);
  }

  reset(): void {
    this.#count = 0;
    this.#prevSum = 0;
    this.#sum = 0;
    this.#prevEma = Number.NaN;
    this.#value = Number.NaN;
  }

  #compute(x: number): number {
    const p = this.period;
    const i = this.#count - 1;
    if (i < p) {
      this.#sum = this.#prevSum + x;
      this.#value = i === p - 1 ? this.#sum / p : Number.NaN;
    } else {
      this.#value = (x - this.#prevEma) * this.#k + this.#prevEma;
    }
    return this.#value;
  }
}
