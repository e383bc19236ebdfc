import { assertPeriod, assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { HighLowClose, IndicatorStream } from '../types';

/**
 * Wilder's average directional index exactly as TA-Lib `ADX` computes it (no unstable period):
 *
 * - From bar 1: up = high − prevHigh, down = prevLow − low; +DM = up if up > down and up > 0, −DM = down if
 *   down > up and down > 0, else 0 (a tie gives neither). TR = max(high − low, |high − prevClose|, |low − prevClose|).
 * - Bars 1 … period−1 are summed into +DM, −DM and TR (note: period−1 bars, TA-Lib's seeding). From bar `period`
 *   on each is smoothed as `s = s − s/period + today`.
 * - ±DI = 100 · ±DM / TR; DX = 100 · |+DI − −DI| / (+DI + −DI).
 * - The first ADX, at index `2·period − 1`, is the mean of the DX of bars period … 2·period−1; after it
 *   ADX = (ADX·(period−1) + DX) / period. Indices before `2·period − 1` are NaN.
 * - When TR or +DI + −DI is 0, DX is undefined for that bar and, as in TA-Lib, the ADX keeps its previous value
 *   (it is neither decayed nor fed a 0). TA-Lib 0.4 also treats values below 1e-8 as 0; this tests exact 0.
 * - NaN: recursive, so a NaN in any input makes that output and every later one NaN.
 *
 * @throws RangeError if `period` is not an integer >= 1 or the three series differ in length.
 */
export function adx(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Float64Array {
  assertPeriod('adx', 'period', period);
  const n = assertSameLength('adx', { high, low, close });
  const h = toFloat64('adx', 'high', high);
  const l = toFloat64('adx', 'low', low);
  const c = toFloat64('adx', 'close', close);
  const out = new Float64Array(n);
  const start = 2 * period - 1;
  out.fill(Number.NaN, 0, Math.min(start, n));
  if (n <= start) return out;
  const state = new AdxState();
  state.first(h[0] as number, l[0] as number, c[0] as number);
  for (let i = 1; i < n; i++) {
    state.step(state, i, period, h[i] as number, l[i] as number, c[i] as number);
    if (i >= start) out[i] = state.adx;
  }
  return out;
}

/** The whole ADX state after one bar; `step` derives the next state from a previous one (possibly itself). */
class AdxState {
  prevHigh = Number.NaN;
  prevLow = Number.NaN;
  prevClose = Number.NaN;
  plusDM = 0;
  minusDM = 0;
  tr = 0;
  sumDX = 0;
  adx = Number.NaN;

  first(high: number, low: number, close: number): void {
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
    this.plusDM = this.minusDM = this.tr = this.sumDX = 0;
    this.adx = Number.NaN;
  }

  copyFrom(o: AdxState): void {
    this.prevHigh = o.prevHigh;
    this.prevLow = o.prevLow;
    this.prevClose = o.prevClose;
    this.plusDM = o.plusDM;
    this.minusDM = o.minusDM;
    this.tr = o.tr;
    this.sumDX = o.sumDX;
    this.adx = o.adx;
  }

  /** Sets this to the state after bar `i` (>= 1) given `from`, the state after bar i−1. */
  step(from: AdxState, i: number, p: number, high: number, low: number, close: number): void {
    const up = high - from.prevHigh;
    const down = from.prevLow - low;
    let plus = 0;
    let minus = 0;
    if (down > 0 && up < down) minus = down;
    else if (up > 0 && up > down) plus = up;
    const pc = from.prevClose;
    const tr = Math.max(high - low, Math.abs(high - pc), Math.abs(low - pc));
    let sumDX = from.sumDX;
    let adxValue = from.adx;
    if (i < p) {
      this.plusDM = from.plusDM + plus;
      this.minusDM = from.minusDM + minus;
      this.tr = from.tr + tr;
    } else {
      const pdm = from.plusDM - from.plusDM / p + plus;
      const mdm = from.minusDM - from.minusDM / p + minus;
      const str = from.tr - from.tr / p + tr;
      this.plusDM = pdm;
      this.minusDM = mdm;
      this.tr = str;
      let dx = Number.NaN;
      let defined = false;
      if (str !== 0) {
        const minusDI = 100 * (mdm / str);
        const plusDI = 100 * (pdm / str);
        const sumDI = minusDI + plusDI;
        if (sumDI !== 0) {
          dx = 100 * (Math.abs(minusDI - plusDI) / sumDI);
          defined = true;
        }
      }
      const start = 2 * p - 1;
      if (i <= start) {
        if (defined) sumDX += dx;
        if (i === start) adxValue = sumDX / p;
      } else if (defined) {
        adxValue = (adxValue * (p - 1) + dx) / p;
      }
    }
    this.sumDX = sumDX;
    this.adx = adxValue;
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
  }
}

/** Streaming {@link adx}: O(1) per update. */
export class AdxStream implements IndicatorStream<HighLowClose, number> {
  readonly period: number;
  // State after the bar before the last one, and after the last one (what replace() recomputes).
  readonly #prev = new AdxState();
  readonly #cur = new AdxState();
  #count = 0;
  #value = Number.NaN;

  constructor(period = 14) {
    assertPeriod('AdxStream', 'period', period);
    this.period = period;
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(bar: HighLowClose): number {
    this.#prev.copyFrom(this.#cur);
    this.#count++;
    return this.#compute(bar);
  }

  replace(bar: HighLowClose): number {
    assertReplaceable('AdxStream', this.#count);
    return this.#compute(bar);
  }

  reset(): void {
    this.#prev.first(Number.NaN, Number.NaN, Number.NaN);
    this.#cur.first(Number.NaN, Number.NaN, Number.NaN);
    this.#count = 0;
    this.#value = Number.NaN;
  }

  #compute(bar: HighLowClose): number {
    const i = this.#count - 1;
    if (i === 0) this.#cur.first(bar.high, bar.low, bar.close);
    else this.#cur.step(this.#prev, i, this.period, bar.high, bar.low, bar.close);
    this.#value = i >= 2 * this.period - 1 ? this.#cur.adx : Number.NaN;
    return this.#value;
  }
}
