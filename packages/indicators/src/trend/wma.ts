import { RESYNC_MASK } from '../internal/resync';
import { assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

/**
 * Linearly weighted moving average (TA-Lib `WMA`): weights 1, 2, …, `period` from the oldest to the newest value
 * of the window, divided by `period·(period+1)/2`. Indices `0 … period-2` are NaN.
 *
 * Computed with a running weighted sum and a running plain sum (`wsum += period·x − sum`, as TA-Lib does), both
 * recomputed from the window every 1,024 bars so rounding does not accumulate.
 * NaN: an output is NaN exactly when its window holds a NaN; values recover once it has left the window.
 *
 * @throws RangeError if `period` is not an integer >= 1; TypeError if `values` is not array-like.
 */
export function wma(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod('wma', 'period', period);
  const x = toFloat64('wma', 'values', values);
  const n = x.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period - 1, n));
  if (n < period) return out;
  const divider = (period * (period + 1)) / 2;
  // Chunks end at every multiple of RESYNC_MASK + 1 and start with sums taken afresh over the window. A NaN must
  // restart them at the bar where it appeared (what WmaStream does bar by bar); as NaN is sticky, one test after the
  // chunk finds it, and only such a chunk is redone with a test per bar.
  let i = period - 1;
  while (i < n) {
    const end = Math.min(n, (i | RESYNC_MASK) + 1);
    let firstW = 0;
    let firstS = 0;
    for (let k = 0, s = i - period + 1; k < period; k++, s++) {
      const w = x[s] as number;
      firstW += (k + 1) * w;
      firstS += w;
    }
    out[i] = firstW / divider;
    let wsum = firstW;
    let sum = firstS;
    for (let j = i + 1; j < end; j++) {
      const v = x[j] as number;
      wsum = wsum - sum + period * v;
      sum += v - (x[j - period] as number);
      out[j] = wsum / divider;
    }
    if (!Number.isNaN(wsum)) {
      i = end;
      continue;
    }
    wsum = firstW;
    sum = firstS;
    let j = i + 1;
    for (; j < end; j++) {
      const v = x[j] as number;
      wsum = wsum - sum + period * v;
      sum += v - (x[j - period] as number);
      if (Number.isNaN(wsum)) break;
      out[j] = wsum / divider;
    }
    i = j;
  }
  return out;
}

/** Streaming {@link wma}: O(1) per update (O(period) once every 1,024 bars for the resync). */
export class WmaStream implements IndicatorStream<number, number> {
  readonly period: number;
  readonly #divider: number;
  // Bar i lives in slot i % (period + 1), so bar i-period stays readable while bar i is replaced.
  readonly #ring: Float64Array;
  #slot = -1;
  #count = 0;
  #prevWsum = 0;
  #prevSum = 0;
  #wsum = 0;
  #sum = 0;
  #value = Number.NaN;

  constructor(period: number) {
    assertPeriod('WmaStream', 'period', period);
    this.period = period;
    this.#divider = (period * (period + 1)) / 2;
    this.#ring = new Float64Array(period + 1);
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(value: number): number {
    this.#prevWsum = this.#wsum;
    this.#prevSum = this.#sum;
    this.#slot = this.#slot === this.period ? 0 : this.#slot + 1;
    this.#ring[this.#slot] = value;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): number {
    assertReplaceable('WmaStream', this.#count);
    this.#ring[this.#slot] = value;
    return this.#compute(value);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#slot = -1;
    this.#count = 0;
    this.#prevWsum = 0;
    this.#prevSum = 0;
    this.#wsum = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }

  #compute(x: number): number {
    const p = this.period;
    const i = this.#count - 1;
    if (i < p - 1) {
      this.#value = Number.NaN;
      return this.#value;
    }
    const ring = this.#ring;
    const oldest = this.#slot === p ? 0 : this.#slot + 1;
    let wsum: number;
    let sum: number;
    if (i === p - 1) {
      wsum = Number.NaN; // forces the window computation below
      sum = 0;
    } else {
      wsum = this.#prevWsum - this.#prevSum + p * x;
      sum = this.#prevSum + (x - (ring[oldest] as number));
    }
    if (i === p - 1 || (i & RESYNC_MASK) === 0 || Number.isNaN(wsum)) {
      wsum = 0;
      sum = 0;
      for (let j = 0, s = oldest; j < p; j++) {
        s = s === p ? 0 : s + 1;
        const w = ring[s] as number;
        wsum += (j + 1) * w;
        sum += w;
      }
    }
    this.#wsum = wsum;
    this.#sum = sum;
    this.#value = wsum / this.#divider;
    return this.#value;
  }
}
