import { assertPeriod, assertReplaceable, toFloat64 } from '../internal/validate';
import type { IndicatorStream } from '../types';

/**
 * Relative strength index with Wilder's smoothing, as TA-Lib `RSI` computes it (default compatibility, no
 * unstable period):
 *
 * - change_i = x_i − x_{i−1}; gain = max(change, 0), loss = max(−change, 0).
 * - Seed at index `period`: avgGain, avgLoss = plain means of the first `period` gains and losses (changes 1…period).
 * - After: avg = (avg·(period−1) + today) / period for both; RSI = 100 · avgGain / (avgGain + avgLoss).
 * - Indices `0 … period-1` are NaN (the first RSI needs `period` changes, i.e. `period+1` values).
 * - A flat window (avgGain + avgLoss = 0) gives 0, as TA-Lib does. TA-Lib 0.4 treats any sum below 1e-8 as zero
 *   (its `TA_IS_ZERO`), which silently zeroes the RSI of very low-priced instruments; this function tests exact 0.
 * - `period = 1` (rejected by TA-Lib) is allowed and gives 100 after a rise, 0 after a fall or no change.
 * - NaN: the averages carry every earlier change, so a NaN input makes that output and every later one NaN.
 *
 * @throws RangeError if `period` is not an integer >= 1; TypeError if `values` is not array-like.
 */
export function rsi(values: ArrayLike<number>, period = 14): Float64Array {
  assertPeriod('rsi', 'period', period);
  const x = toFloat64('rsi', 'values', values);
  const n = x.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period, n));
  if (n <= period) return out;
  const pm1 = period - 1;
  let gain = 0;
  let loss = 0;
  let prev = x[0] as number;
  for (let i = 1; i <= period; i++) {
    const v = x[i] as number;
    const d = v - prev;
    prev = v;
    const a = Math.abs(d);
    // (d + |d|)/2 and (|d| − d)/2 are exact and branch-free: the sign of a price change is a coin flip, so a
    // branch on it mispredicts about half the time.
    gain += (d + a) * 0.5;
    loss += (a - d) * 0.5;
  }
  gain /= period;
  loss /= period;
  let total = gain + loss;
  out[period] = total !== 0 ? 100 * (gain / total) : 0;
  for (let i = period + 1; i < n; i++) {
    const v = x[i] as number;
    const d = v - prev;
    prev = v;
    const a = Math.abs(d);
    gain = (gain * pm1 + (d + a) * 0.5) / period;
    loss = (loss * pm1 + (a - d) * 0.5) / period;
    total = gain + loss;
    out[i] = total !== 0 ? 100 * (gain / total) : 0;
  }
  return out;
}

/** Streaming {@link rsi}: O(1) per update. */
export class RsiStream implements IndicatorStream<number, number> {
  readonly period: number;
  #count = 0;
  // "prev*" is the state after the bar before the last one; the rest after the last one (what replace() swaps).
  #prevValue = Number.NaN;
  #lastValue = Number.NaN;
  #prevGain = 0;
  #prevLoss = 0;
  #gain = 0;
  #loss = 0;
  #value = Number.NaN;

  constructor(period = 14) {
    assertPeriod('RsiStream', 'period', period);
    this.period = period;
  }

  get value(): number {
    return this.#value;
  }
  get count(): number {
    return this.#count;
  }

  update(value: number): number {
    this.#prevValue = this.#lastValue;
    this.#prevGain = this.#gain;
    this.#prevLoss = this.#loss;
    this.#count++;
    return this.#compute(value);
  }

  replace(value: number): number {
    assertReplaceable('RsiStream', this.#count);
    return this.#compute(value);
  }

  reset(): void {
    this.#count = 0;
    this.#prevValue = Number.NaN;
    this.#lastValue = Number.NaN;
    this.#prevGain = 0;
    this.#prevLoss = 0;
    this.#gain = 0;
    this.#loss = 0;
    this.#value = Number.NaN;
  }

  #compute(x: number): number {
    const p = this.period;
    const i = this.#count - 1;
    this.#lastValue = x;
    if (i === 0) {
      this.#value = Number.NaN;
      return this.#value;
    }
    const d = x - this.#prevValue;
    const a = Math.abs(d);
    if (i < p) {
      this.#gain = this.#prevGain + (d + a) * 0.5;
      this.#loss = this.#prevLoss + (a - d) * 0.5;
      this.#value = Number.NaN;
      return this.#value;
    }
    if (i === p) {
      this.#gain = (this.#prevGain + (d + a) * 0.5) / p;
      this.#loss = (this.#prevLoss + (a - d) * 0.5) / p;
    } else {
      this.#gain = (this.#prevGain * (p - 1) + (d + a) * 0.5) / p;
      this.#loss = (this.#prevLoss * (p - 1) + (a - d) * 0.5) / p;
    }
    const total = this.#gain + this.#loss;
    this.#value = total !== 0 ? 100 * (this.#gain / total) : 0;
    return this.#value;
  }
}
