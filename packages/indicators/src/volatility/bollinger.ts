import { RESYNC_MASK } from '../internal/resync';
import { assertNonNegative, assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

export interface BollingerResult {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

export interface BollingerValue {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
}

/**
 * Bollinger Bands as TA-Lib `BBANDS` with a simple moving average: middle = SMA(`period`),
 * upper/lower = middle ± `stdDev` × the POPULATION standard deviation of the same window (divide by `period`, not
 * `period − 1`; Bollinger's and TA-Lib's definition). Indices `0 … period-2` are NaN.
 *
 * Numerics: TA-Lib computes the variance as mean(x²) − mean(x)² from raw running sums, which cancels badly for
 * prices far from zero (EURUSD ≈ 1.1 with a variance ≈ 1e-9 keeps only ~7 of 16 digits) and TA-Lib 0.4 then turns
 * any variance below 1e-8 into a zero width. Here the sums run over `x − ref`, where `ref` is a recent value
 * re-chosen (with a fresh window sum) every 1,024 bars, so the cancellation is that of the window's drift from
 * `ref`, not of the price level; a variance that rounds below 0 is 0. `middle` may differ from `sma()` in the last
 * bit because of the shift.
 * NaN: an output is NaN exactly when its window holds a NaN; values recover once it has left the window.
 *
 * @throws RangeError if `period` is not an integer >= 1 or `stdDev` is not a finite number >= 0.
 */
export function bollinger(values: ArrayLike<number>, period = 20, stdDev = 2): BollingerResult {
  assertPeriod('bollinger', 'period', period);
  assertNonNegative('bollinger', 'stdDev', stdDev);
  const x = toFloat64('bollinger', 'values', values);
  const n = x.length;
  const upper = new Float64Array(n);
  const middle = new Float64Array(n);
  const lower = new Float64Array(n);
  const warm = Math.min(period - 1, n);
  upper.fill(Number.NaN, 0, warm);
  middle.fill(Number.NaN, 0, warm);
  lower.fill(Number.NaN, 0, warm);
  if (n < period) return { upper, middle, lower };
  const inv = 1 / period;
  let ref = 0;
  // Chunks end at every multiple of RESYNC_MASK + 1 and start with a fresh reference and window sums. A NaN must
  // restart them at the bar where it appeared (what BollingerStream does bar by bar); as NaN is sticky, one test
  // after the chunk finds it, and only such a chunk is redone with a test per bar.
  let i = period - 1;
  while (i < n) {
    const end = Math.min(n, (i | RESYNC_MASK) + 1);
    const v = x[i] as number;
    if (v - v === 0) ref = v; // a finite value; otherwise keep the previous reference
    let first1 = 0;
    let first2 = 0;
    for (let j = i - period + 1; j <= i; j++) {
      const d = (x[j] as number) - ref;
      first1 += d;
      first2 += d * d;
    }
    let mean = first1 * inv;
    let sd = Math.sqrt(Math.max(first2 * inv - mean * mean, 0)) * stdDev;
    let mid = ref + mean;
    middle[i] = mid;
    upper[i] = mid + sd;
    lower[i] = mid - sd;
    let s1 = first1;
    let s2 = first2;
    for (let j = i + 1; j < end; j++) {
      const d = (x[j] as number) - ref;
      const o = (x[j - period] as number) - ref;
      s1 += d - o;
      s2 += d * d - o * o;
      mean = s1 * inv;
      sd = Math.sqrt(Math.max(s2 * inv - mean * mean, 0)) * stdDev;
      mid = ref + mean;
      middle[j] = mid;
      upper[j] = mid + sd;
      lower[j] = mid - sd;
    }
    if (!Number.isNaN(s1 + s2)) {
      i = end;
      continue;
    }
    s1 = first1;
    s2 = first2;
    let j = i + 1;
    for (; j < end; j++) {
      const d = (x[j] as number) - ref;
      const o = (x[j - period] as number) - ref;
      s1 += d - o;
      s2 += d * d - o * o;
      if (Number.isNaN(s1 + s2)) break;
      mean = s1 * inv;
      sd = Math.sqrt(Math.max(s2 * inv - mean * mean, 0)) * stdDev;
      mid = ref + mean;
      middle[j] = mid;
      upper[j] = mid + sd;
      lower[j] = mid - sd;
    }
    i = j;
  }
  return { upper, middle, lower };
}

const NAN_BANDS: BollingerValue = Object.freeze({ upper: Number.NaN, middle: Number.NaN, lower: Number.NaN });

/** Streaming {@link bollinger}: O(1) per update (O(period) once every 1,024 bars); returns a new result object. */
export class BollingerStream implements IndicatorStream<number, BollingerValue> {
  readonly period: number;
  readonly stdDev: number;
  // Bar i lives in slot i % (period + 1), so bar i-period stays readable while bar i is replaced.
  readonly #ring: Float64Array;
  #slot = -1;
  #count = 0;
  #prevRef = 0;
  #prevS1 = 0;
  #prevS2 = 0;
  #ref = 0;
  #s1 = 0;
  #s2 = 0;
  #value: BollingerValue = NAN_BANDS;

  constructor(period = 20, stdDev = 2) {
    assertPeriod('BollingerStream', 'period', period);
    assertNonNegative('BollingerStream', 'stdDev', stdDev);
    this.period = period;
    this.stdDev = stdDev;
    this.#ring = new Float64Array(period + 1);
  }

  get value(): BollingerValue {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(value: number): BollingerValue {
    this.#prevRef = this.#ref;
    this.#prevS1 = this.#s1;
    this.#prevS2 = this.#s2;
    this.#slot = this.#slot === this.period ? 0 : this.#slot + 1;
    this.#ring[this.#slot] = value;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): BollingerValue {
    assertReplaceable('BollingerStream', this.#count);
    this.#ring[this.#slot] = value;
    return this.#compute(value);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#slot = -1;
    this.#count = 0;
    this.#prevRef = this.#prevS1 = this.#prevS2 = 0;
    this.#ref = this.#s1 = this.#s2 = 0;
    this.#value = NAN_BANDS;
  }

  #compute(v: number): BollingerValue {
    const p = this.period;
    const i = this.#count - 1;
    if (i < p - 1) {
      this.#value = NAN_BANDS;
      return this.#value;
    }
    const ring = this.#ring;
    const oldest = this.#slot === p ? 0 : this.#slot + 1;
    let ref = this.#prevRef;
    let s1 = this.#prevS1;
    let s2 = this.#prevS2;
    if (i >= p) {
      const d = v - ref;
      const o = (ring[oldest] as number) - ref;
      s1 += d - o;
      s2 += d * d - o * o;
    }
    if (i === p - 1 || (i & RESYNC_MASK) === 0 || Number.isNaN(s1 + s2)) {
      if (v - v === 0) ref = v;
      s1 = 0;
      s2 = 0;
      for (let j = 0, s = oldest; j < p; j++) {
        s = s === p ? 0 : s + 1;
        const d = (ring[s] as number) - ref;
        s1 += d;
        s2 += d * d;
      }
    }
    this.#ref = ref;
    this.#s1 = s1;
    this.#s2 = s2;
    const inv = 1 / p;
    const mean = s1 * inv;
    const sd = Math.sqrt(Math.max(s2 * inv - mean * mean, 0)) * this.stdDev;
    const mid = ref + mean;
    this.#value = { upper: mid + sd, middle: mid, lower: mid - sd };
    return this.#value;
  }
}
