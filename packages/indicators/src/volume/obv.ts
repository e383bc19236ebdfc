import { assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { CloseVolume, IndicatorStream } from '../types';

/**
 * On-balance volume as TA-Lib `OBV`: starts at the FIRST bar's volume (TA-Lib's seed; some libraries start at 0,
 * which shifts the whole series by volume[0] and changes nothing else), then adds the bar's volume when the close
 * rose, subtracts it when the close fell, and keeps it when the close is unchanged. No warm-up: index 0 is defined.
 *
 * NaN: recursive, so a NaN close or volume makes that output and every later one NaN.
 *
 * @throws RangeError if `close` and `volume` differ in length.
 */
export function obv(close: ArrayLike<number>, volume: ArrayLike<number>): Float64Array {
  const n = assertSameLength('obv', { close, volume });
  const c = toFloat64('obv', 'close', close);
  const v = toFloat64('obv', 'volume', volume);
  const out = new Float64Array(n);
  if (n === 0) return out;
  let pc = c[0] as number;
  let acc = (v[0] as number) + (pc - pc);
  out[0] = acc;
  for (let i = 1; i < n; i++) {
    const ci = c[i] as number;
    acc += obvDelta(ci, pc, v[i] as number);
    pc = ci;
    out[i] = acc;
  }
  return out;
}

function obvDelta(close: number, prevClose: number, volume: number): number {
  // The last branch is 0 for finite inputs and NaN when the close or volume is NaN (comparisons with NaN are false).
  return close > prevClose ? volume : close < prevClose ? -volume : volume - volume + (close - close);
}

/** Streaming {@link obv}: O(1) per update. */
export class ObvStream implements IndicatorStream<CloseVolume, number> {
  #count = 0;
  // State after the bar before the last one, and after the last one (what replace() recomputes).
  #prevClose = Number.NaN;
  #prevObv = 0;
  #lastClose = Number.NaN;
  #value = Number.NaN;

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(bar: CloseVolume): number {
    this.#prevClose = this.#lastClose;
    this.#prevObv = this.#value;
    this.#count++;
    return this.#compute(bar.close, bar.volume);
  }

  replace(bar: CloseVolume): number {
    assertReplaceable('ObvStream', this.#count);
    return this.#compute(bar.close, bar.volume);
  }

  reset(): void {
    this.#count = 0;
    this.#prevClose = this.#lastClose = Number.NaN;
    this.#prevObv = 0;
    this.#value = Number.NaN;
  }

  #compute(close: number, volume: number): number {
    this.#lastClose = close;
    this.#value =
      this.#count === 1 ? volume + (close - close) : this.#prevObv + obvDelta(close, this.#prevClose, volume);
    return this.#value;
  }
}
