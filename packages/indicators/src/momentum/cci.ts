import { assertPeriod, assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { HighLowClose, IndicatorStream } from '../types';

/**
 * Commodity channel index as TA-Lib `CCI`: with typical price tp = (high + low + close) / 3,
 * CCI = (tp − mean(tp)) / (0.015 · mean absolute deviation of tp from that mean), both over the last `period`
 * bars. Indices `0 … period-2` are NaN.
 *
 * - When tp equals the mean or the deviation is 0 the result is 0, as in TA-Lib. "0" is judged relative to the
 *   price level: a mean deviation below `period · 1e-14 · |mean|` is rounding residue (a window of identical
 *   prices does not average back to exactly that price in floating point), not a real deviation, and gives 0 rather
 *   than the spurious ±66.67 an exact test would produce (TA-Lib fixed the same bug, its issue #7).
 * - The mean absolute deviation needs every value of the window each bar, so this is O(period) per bar (TA-Lib
 *   too); the mean is summed afresh with it, so nothing drifts.
 * - NaN: an output is NaN exactly when its window holds a NaN; values recover once it has left the window.
 *
 * @throws RangeError if `period` is not an integer >= 1 or the three series differ in length.
 */
export function cci(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 20,
): Float64Array {
  assertPeriod('cci', 'period', period);
  const n = assertSameLength('cci', { high, low, close });
  const h = toFloat64('cci', 'high', high);
  const l = toFloat64('cci', 'low', low);
  const c = toFloat64('cci', 'close', close);
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period - 1, n));
  const tp = new Float64Array(n);
  for (let i = 0; i < n; i++) tp[i] = ((h[i] as number) + (l[i] as number) + (c[i] as number)) / 3;
  for (let i = period - 1; i < n; i++) {
    const from = i - period + 1;
    let sum = 0;
    for (let j = from; j <= i; j++) sum += tp[j] as number;
    const mean = sum / period;
    let dev = 0;
    for (let j = from; j <= i; j++) dev += Math.abs((tp[j] as number) - mean);
    out[i] = cciValue(tp[i] as number, mean, dev, period);
  }
  return out;
}

function cciValue(tp: number, mean: number, dev: number, period: number): number {
  const meanDev = dev / period;
  // NaN fails the comparison and flows through the division.
  if (meanDev <= Math.abs(mean) * period * 1e-14) return 0;
  return (tp - mean) / (0.015 * meanDev);
}

/** Streaming {@link cci}: O(period) per update (the mean absolute deviation needs the whole window). */
export class CciStream implements IndicatorStream<HighLowClose, number> {
  readonly period: number;
  // Bar i's typical price sits in slot i % period.
  readonly #ring: Float64Array;
  #slot = -1;
  #count = 0;
  #value = Number.NaN;

  constructor(period = 20) {
    assertPeriod('CciStream', 'period', period);
    this.period = period;
    this.#ring = new Float64Array(period);
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(bar: HighLowClose): number {
    this.#slot = this.#slot === this.period - 1 ? 0 : this.#slot + 1;
    this.#count++;
    return this.#compute(bar);
  }

  replace(bar: HighLowClose): number {
    assertReplaceable('CciStream', this.#count);
    return this.#compute(bar);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#slot = -1;
    this.#count = 0;
    this.#value = Number.NaN;
  }

  #compute(bar: HighLowClose): number {
    const p = this.period;
    const ring = this.#ring;
    const tp = (bar.high + bar.low + bar.close) / 3;
    ring[this.#slot] = tp;
    if (this.#count < p) {
      this.#value = Number.NaN;
      return this.#value;
    }
    // Oldest first, as the batch form adds: slots after the newest, then from 0 up to it.
    const newest = this.#slot;
    let sum = 0;
    for (let j = newest + 1; j < p; j++) sum += ring[j] as number;
    for (let j = 0; j <= newest; j++) sum += ring[j] as number;
    const mean = sum / p;
    let dev = 0;
    for (let j = newest + 1; j < p; j++) dev += Math.abs((ring[j] as number) - mean);
    for (let j = 0; j <= newest; j++) dev += Math.abs((ring[j] as number) - mean);
    this.#value = cciValue(tp, mean, dev, p);
    return this.#value;
  }
}
