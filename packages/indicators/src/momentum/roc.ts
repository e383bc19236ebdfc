import { assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

/**
 * Rate of change in percent as TA-Lib `ROC`: 100 · (x_i / x_{i−period} − 1). Indices `0 … period-1` are NaN.
 *
 * - A zero reference value x_{i−period} gives 0, as in TA-Lib (the ratio is undefined there).
 * - NaN: an output is NaN when x_i or x_{i−period} is NaN; nothing else is affected.
 *
 * @throws RangeError if `period` is not an integer >= 1; TypeError if `values` is not array-like.
 */
export function roc(values: ArrayLike<number>, period = 10): Float64Array {
  assertPeriod('roc', 'period', period);
  const x = toFloat64('roc', 'values', values);
  const n = x.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period, n));
  for (let i = period; i < n; i++) out[i] = rocValue(x[i] as number, x[i - period] as number);
  return out;
}

function rocValue(x: number, ref: number): number {
  // x − x keeps a NaN x visible when the reference is 0 (0 otherwise, TA-Lib's value).
  return ref !== 0 ? (x / ref - 1) * 100 : x - x;
}

/** Streaming {@link roc}: O(1) per update. */
export class RocStream implements IndicatorStream<number, number> {
  readonly period: number;
  // Bar i lives in slot i % (period + 1), so bar i-period stays readable while bar i is replaced.
  readonly #ring: Float64Array;
  #slot = -1;
  #count = 0;
  #value = Number.NaN;

  constructor(period = 10) {
    assertPeriod('RocStream', 'period', period);
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
    this.#slot = this.#slot === this.period ? 0 : this.#slot + 1;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): number {
    assertReplaceable('RocStream', this.#count);
    return this.#compute(value);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#slot = -1;
    this.#count = 0;
    this.#value = Number.NaN;
  }

  #compute(x: number): number {
    this.#ring[this.#slot] = x;
    if (this.#count <= this.period) {
      this.#value = Number.NaN;
      return this.#value;
    }
    const oldest = this.#slot === this.period ? 0 : this.#slot + 1;
    this.#value = rocValue(x, this.#ring[oldest] as number);
    return this.#value;
  }
}
