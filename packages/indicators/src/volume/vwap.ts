import { assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { HighLowCloseVolume, IndicatorStream } from '../types';

/**
 * Volume-weighted average price, anchored at the first bar of the series: Σ(tp · volume) / Σ volume over bars
 * 0 … i, with typical price tp = (high + low + close) / 3. TA-Lib has no VWAP; this is the common chart definition.
 *
 * - Anchoring: the batch form has no timestamps, so it accumulates from index 0. For a session VWAP (reset at each
 *   trading day's open) call it once per session, or call `VwapStream.reset()` at the session start.
 * - While the cumulative volume is 0 (no volume yet, or a feed without volume such as spot FX) the VWAP is
 *   undefined and the output is NaN; it is not replaced by the price.
 * - Plain cumulative sums: their relative rounding error grows at most like (bars · 2⁻⁵³), about 1e-10 after
 *   1,000,000 bars, far below price precision.
 * - NaN: cumulative, so a NaN in any input makes that output and every later one NaN.
 *
 * @throws RangeError if the four series differ in length.
 */
export function vwap(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
): Float64Array {
  const n = assertSameLength('vwap', { high, low, close, volume });
  const h = toFloat64('vwap', 'high', high);
  const l = toFloat64('vwap', 'low', low);
  const c = toFloat64('vwap', 'close', close);
  const v = toFloat64('vwap', 'volume', volume);
  const out = new Float64Array(n);
  let pv = 0;
  let vol = 0;
  for (let i = 0; i < n; i++) {
    const vi = v[i] as number;
    pv += (((h[i] as number) + (l[i] as number) + (c[i] as number)) / 3) * vi;
    vol += vi;
    out[i] = vol !== 0 ? pv / vol : Number.NaN;
  }
  return out;
}

/** Streaming {@link vwap}: O(1) per update; `reset()` starts a new anchor (e.g. a new session). */
export class VwapStream implements IndicatorStream<HighLowCloseVolume, number> {
  #count = 0;
  // Sums through the bar before the last one, and through the last one (what replace() recomputes).
  #prevPv = 0;
  #prevVol = 0;
  #pv = 0;
  #vol = 0;
  #value = Number.NaN;

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(bar: HighLowCloseVolume): number {
    this.#prevPv = this.#pv;
    this.#prevVol = this.#vol;
    this.#count++;
    return this.#compute(bar);
  }

  replace(bar: HighLowCloseVolume): number {
    assertReplaceable('VwapStream', this.#count);
    return this.#compute(bar);
  }

  reset(): void {
    this.#count = 0;
    this.#prevPv = this.#prevVol = this.#pv = this.#vol = 0;
    this.#value = Number.NaN;
  }

  #compute(bar: HighLowCloseVolume): number {
    this.#pv = this.#prevPv + ((bar.high + bar.low + bar.close) / 3) * bar.volume;
    this.#vol = this.#prevVol + bar.volume;
    this.#value = this.#vol !== 0 ? this.#pv / this.#vol : Number.NaN;
    return this.#value;
  }
}
