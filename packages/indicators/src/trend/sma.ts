import { RESYNC_MASK } from '../internal/resync';
import { assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

/**
 * Simple moving average: the mean of the last `period` values (TA-Lib `SMA`).
 *
 * - Output has the input's length; indices `0 … period-2` are NaN (warm-up), the first value is at `period-1`.
 * - Running sum, recomputed from the window every 1,024 bars (see `RESYNC_MASK`) so rounding does not accumulate.
 * - NaN: an output is NaN exactly when its window holds a NaN; values recover once the NaN has left the window.
 *   ±Infinity in the window gives ±Infinity (or NaN if both signs are present), as the mean would.
 *
 * @throws RangeError if `period` is not an integer >= 1; TypeError if `values` is not array-like.
 */
export function sma(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod('sma', 'period', period);
  const x = toFloat64('sma', 'values', values);
  const n = x.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period - 1, n));
  if (n < period) return out;
  // Chunks end at every multiple of RESYNC_MASK + 1 and start with a sum taken afresh over the window. A NaN sum
  // must restart the window sum at the bar where it appeared (what SmaStream does bar by bar); as NaN is sticky, one
  // test after the chunk finds it, and only such a chunk is redone with a test per bar.
  let i = period - 1;
  while (i < n) {
    const end = Math.min(n, (i | RESYNC_MASK) + 1);
    let first = 0;
    for (let j = i - period + 1; j <= i; j++) first += x[j] as number;
    out[i] = first / period;
    let sum = first;
    for (let j = i + 1; j < end; j++) {
      sum += (x[j] as number) - (x[j - period] as number);
      out[j] = sum / period;
    }
    if (!Number.isNaN(sum)) {
      i = end;
      continue;
    }
    sum = first;
    let j = i + 1;
    for (; j < end; j++) {
      sum += (x[j] as number) - (x[j - period] as number);
      if (Number.isNaN(sum)) break;
      out[j] = sum / period;
    }
    i = j;
  }
  return out;
}

/** Streaming {@link sma}: O(1) per update (O(period) once every 1,024 bars for the resync). */
export class SmaStream implements IndicatorStream<number, number> {
  readonly period: number;
  // Bar i lives in slot i % (period + 1): the one extra slot keeps bar i-period (the value leaving the window)
  // readable while bar i is replaced.
  readonly #ring: Float64Array;
  #slot = -1;
  #count = 0;
  #prevSum = 0;
  #sum = 0;
  #value = Number.NaN;

  constructor(period: number) {
    assertPeriod('SmaStream', 'period', period);
    this.period = period;
    this.#ring = new Float64Array(period + 1);
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(value: number): number {
    this.#prevSum = this.#sum;
    this.#slot = this.#slot === this.period ? 0 : this.#slot + 1;
    this.#ring[this.#slot] = value;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): number {
    assertReplaceable('SmaStream', this.#count);
    this.#ring[this.#slot] = value;
    return this.#compute(value);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#slot = -1;
    this.#count = 0;
    this.#prevSum = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }

  #compute(x: number): number {
    const p = this.period;
    const i = this.#count - 1;
    if (i < p) {
      this.#sum = this.#prevSum + x;
      this.#value = i === p - 1 ? this.#sum / p : Number.NaN;
      return this.#value;
    }
    const ring = this.#ring;
    const oldest = this.#slot === p ? 0 : this.#slot + 1;
    let sum = this.#prevSum + (x - (ring[oldest] as number));
    if ((i & RESYNC_MASK) === 0 || Number.isNaN(sum)) {
      sum = 0;
      for (let j = 0, s = oldest; j < p; j++) {
        s = s === p ? 0 : s + 1;
        sum += ring[s] as number;
      }
    }
    this.#sum = sum;
    this.#value = sum / p;
    return this.#value;
  }
}
