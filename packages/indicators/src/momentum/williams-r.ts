import { SlidingRange } from '../internal/sliding-range';
import { assertPeriod, assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { HighLowClose, IndicatorStream } from '../types';

/**
 * Williams %R as TA-Lib `WILLR`: −100 · (highest high − close) / (highest high − lowest low) over the last
 * `period` bars (bar i included), in −100 … 0. Indices `0 … period-2` are NaN.
 *
 * - A flat window (highest = lowest) gives 0, as in TA-Lib.
 * - Highest/lowest come from monotonic deques: amortised O(1) per bar whatever the period.
 * - NaN: a NaN high or low makes every output whose window includes that bar NaN; a NaN close only its own
 *   output. Values recover afterwards.
 *
 * @throws RangeError if `period` is not an integer >= 1 or the three series differ in length.
 */
export function williamsR(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Float64Array {
  assertPeriod('williamsR', 'period', period);
  const n = assertSameLength('williamsR', { high, low, close });
  const h = toFloat64('williamsR', 'high', high);
  const l = toFloat64('williamsR', 'low', low);
  const c = toFloat64('williamsR', 'close', close);
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period - 1, n));
  const range = new SlidingRange(period);
  for (let i = 0; i < n; i++) {
    range.add(h[i] as number, l[i] as number);
    if (i >= period - 1) out[i] = percentR(range.highest, range.lowest, c[i] as number);
  }
  return out;
}

function percentR(highest: number, lowest: number, close: number): number {
  const span = (highest - lowest) / -100;
  return span !== 0 ? (highest - close) / span : close - close;
}

/** Streaming {@link williamsR}: amortised O(1) per update. */
export class WilliamsRStream implements IndicatorStream<HighLowClose, number> {
  readonly period: number;
  readonly #range: SlidingRange;
  #value = Number.NaN;

  constructor(period = 14) {
    assertPeriod('WilliamsRStream', 'period', period);
    this.period = period;
    this.#range = new SlidingRange(period);
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#range.count;
  }

  update(bar: HighLowClose): number {
    this.#range.add(bar.high, bar.low);
    return this.#compute(bar.close);
  }

  replace(bar: HighLowClose): number {
    assertReplaceable('WilliamsRStream', this.#range.count);
    this.#range.set(bar.high, bar.low);
    return this.#compute(bar.close);
  }

  reset(): void {
    this.#range.reset();
    this.#value = Number.NaN;
  }

  #compute(close: number): number {
    const i = this.#range.count - 1;
    this.#value = i < this.period - 1 ? Number.NaN : percentR(this.#range.highest, this.#range.lowest, close);
    return this.#value;
  }
}
