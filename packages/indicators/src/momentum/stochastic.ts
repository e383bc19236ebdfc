import { SlidingRange } from '../internal/sliding-range';
import { assertPeriod, assertReplaceable, assertSameLength, toFloat64 } from '../internal/validate';
import type { HighLowClose, IndicatorStream } from '../types';

export interface StochasticResult {
  /** Slow %K: SMA(`kSmooth`) of fast %K, in 0 … 100. */
  readonly k: Float64Array;
  /** %D: SMA(`dPeriod`) of slow %K. */
  readonly d: Float64Array;
}

export interface StochasticValue {
  readonly k: number;
  readonly d: number;
}

/**
 * Slow stochastic oscillator as TA-Lib `STOCH` with simple moving averages (its default MA type):
 *
 * - fast %K_i = 100 · (close_i − lowest low) / (highest high − lowest low) over the last `kPeriod` bars (bar i
 *   included). A flat window (highest = lowest) gives 0, as in TA-Lib.
 * - %K (slow) = SMA(`kSmooth`) of fast %K; %D = SMA(`dPeriod`) of %K. `kSmooth = 1` gives the fast stochastic.
 * - Both outputs start at index `kPeriod + kSmooth + dPeriod − 3` (17 for 14/3/3) and are NaN before, matching
 *   TA-Lib's outputs index for index (TA-Lib starts %K where %D starts).
 * - The two smoothing means are summed afresh each bar (no running sum, so no drift): an update costs
 *   O(kSmooth + dPeriod) plus amortised O(1) for the highest/lowest (monotonic deques).
 * - NaN: a NaN high or low makes every output whose `kPeriod` window (after smoothing: whose smoothing windows)
 *   includes that bar NaN; a NaN close affects the outputs that average that bar's %K. Values recover afterwards.
 *
 * @throws RangeError if a period is not an integer >= 1 or the three series differ in length.
 */
export function stochastic(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  kPeriod = 14,
  kSmooth = 3,
  dPeriod = 3,
): StochasticResult {
  assertPeriod('stochastic', 'kPeriod', kPeriod);
  assertPeriod('stochastic', 'kSmooth', kSmooth);
  assertPeriod('stochastic', 'dPeriod', dPeriod);
  const n = assertSameLength('stochastic', { high, low, close });
  const h = toFloat64('stochastic', 'high', high);
  const l = toFloat64('stochastic', 'low', low);
  const c = toFloat64('stochastic', 'close', close);
  const k = new Float64Array(n);
  const d = new Float64Array(n);
  const start = kPeriod + kSmooth + dPeriod - 3;
  k.fill(Number.NaN, 0, Math.min(start, n));
  d.fill(Number.NaN, 0, Math.min(start, n));
  if (n <= start) return { k, d };
  const fastK = new Float64Array(n);
  const slowK = new Float64Array(n);
  const range = new SlidingRange(kPeriod);
  const slowStart = kPeriod + kSmooth - 2;
  for (let i = 0; i < n; i++) {
    range.add(h[i] as number, l[i] as number);
    if (i < kPeriod - 1) continue;
    fastK[i] = fastStochastic(range.highest, range.lowest, c[i] as number);
    if (i < slowStart) continue;
    let s = 0;
    for (let j = i - kSmooth + 1; j <= i; j++) s += fastK[j] as number;
    slowK[i] = s / kSmooth;
    if (i < start) continue;
    let t = 0;
    for (let j = i - dPeriod + 1; j <= i; j++) t += slowK[j] as number;
    k[i] = slowK[i] as number;
    d[i] = t / dPeriod;
  }
  return { k, d };
}

function fastStochastic(highest: number, lowest: number, close: number): number {
  const span = (highest - lowest) / 100;
  // close − close keeps a NaN close visible in a flat window (0 otherwise, TA-Lib's value).
  return span !== 0 ? (close - lowest) / span : close - close;
}

/** Sum of a full ring whose newest value is at `newest`, oldest first (the order the batch form adds in). */
function ringSum(ring: Float64Array, newest: number): number {
  let s = 0;
  for (let j = newest + 1; j < ring.length; j++) s += ring[j] as number;
  for (let j = 0; j <= newest; j++) s += ring[j] as number;
  return s;
}

const NAN_STOCH: StochasticValue = Object.freeze({ k: Number.NaN, d: Number.NaN });

/** Streaming {@link stochastic}: O(kSmooth + dPeriod) per update; returns a new result object. */
export class StochasticStream implements IndicatorStream<HighLowClose, StochasticValue> {
  readonly kPeriod: number;
  readonly kSmooth: number;
  readonly dPeriod: number;
  readonly #range: SlidingRange;
  // Bar i's fast %K sits in slot i % kSmooth and its slow %K in slot i % dPeriod (tracked incrementally: an integer
  // modulo costs more than the rest of an update); each sum reads its whole ring, oldest first, as the batch does.
  readonly #fastK: Float64Array;
  readonly #slowK: Float64Array;
  #fastSlot = -1;
  #slowSlot = -1;
  #value: StochasticValue = NAN_STOCH;

  constructor(kPeriod = 14, kSmooth = 3, dPeriod = 3) {
    assertPeriod('StochasticStream', 'kPeriod', kPeriod);
    assertPeriod('StochasticStream', 'kSmooth', kSmooth);
    assertPeriod('StochasticStream', 'dPeriod', dPeriod);
    this.kPeriod = kPeriod;
    this.kSmooth = kSmooth;
    this.dPeriod = dPeriod;
    this.#range = new SlidingRange(kPeriod);
    this.#fastK = new Float64Array(kSmooth);
    this.#slowK = new Float64Array(dPeriod);
  }

  get value(): StochasticValue {
    return this.#value;
  }
  get count(): number {
    return this.#range.count;
  }

  update(bar: HighLowClose): StochasticValue {
    this.#range.add(bar.high, bar.low);
    this.#fastSlot = this.#fastSlot === this.kSmooth - 1 ? 0 : this.#fastSlot + 1;
    this.#slowSlot = this.#slowSlot === this.dPeriod - 1 ? 0 : this.#slowSlot + 1;
    return this.#compute(bar.close);
  }

  replace(bar: HighLowClose): StochasticValue {
    assertReplaceable('StochasticStream', this.#range.count);
    this.#range.set(bar.high, bar.low);
    return this.#compute(bar.close);
  }

  reset(): void {
    this.#range.reset();
    this.#fastK.fill(0);
    this.#slowK.fill(0);
    this.#fastSlot = -1;
    this.#slowSlot = -1;
    this.#value = NAN_STOCH;
  }

  #compute(close: number): StochasticValue {
    const { kPeriod, kSmooth, dPeriod } = this;
    const i = this.#range.count - 1;
    if (i < kPeriod - 1) {
      this.#value = NAN_STOCH;
      return this.#value;
    }
    const fastK = this.#fastK;
    const slowK = this.#slowK;
    fastK[this.#fastSlot] = fastStochastic(this.#range.highest, this.#range.lowest, close);
    if (i < kPeriod + kSmooth - 2) {
      this.#value = NAN_STOCH;
      return this.#value;
    }
    const sk = ringSum(fastK, this.#fastSlot) / kSmooth;
    slowK[this.#slowSlot] = sk;
    if (i < kPeriod + kSmooth + dPeriod - 3) {
      this.#value = NAN_STOCH;
      return this.#value;
    }
    const t = ringSum(slowK, this.#slowSlot);
    this.#value = { k: sk, d: t / dPeriod };
    return this.#value;
  }
}
