import { WindowExtreme } from './window-extreme';

/**
 * Highest high and lowest low of the last `period` bars, bar by bar, with a bar that may still be replaced.
 * Shared by the batch and streaming forms of the stochastic and Williams %R so both give identical numbers.
 *
 * `add(h, l)` appends a bar; `set(h, l)` replaces the newest bar. After either, `highest`/`lowest` describe the
 * window ending at the newest bar, or are NaN while that window holds a NaN high or low (a NaN is never fed to
 * the deques, so they recover as soon as it has left the window).
 */
export class SlidingRange {
  readonly period: number;
  readonly #hi: WindowExtreme;
  readonly #lo: WindowExtreme;
  #count = 0;
  #lastBad = Number.NEGATIVE_INFINITY;
  #pendingHigh = Number.NaN;
  #pendingLow = Number.NaN;
  highest = Number.NaN;
  lowest = Number.NaN;

  constructor(period: number) {
    this.period = period;
    this.#hi = new WindowExtreme(period + 1, true);
    this.#lo = new WindowExtreme(period + 1, false);
  }

  get count(): number {
    return this.#count;
  }

  add(high: number, low: number): void {
    if (this.#count > 0) {
      // The previous newest bar is final now: it joins the deques.
      const i = this.#count - 1;
      const h = this.#pendingHigh;
      const l = this.#pendingLow;
      if (Number.isNaN(h - l)) this.#lastBad = i;
      else {
        this.#hi.push(i, h);
        this.#lo.push(i, l);
      }
    }
    this.#count++;
    this.set(high, low);
  }

  set(high: number, low: number): void {
    this.#pendingHigh = high;
    this.#pendingLow = low;
    const i = this.#count - 1;
    const first = i - this.period + 1;
    this.#hi.evict(first);
    this.#lo.evict(first);
    if (Number.isNaN(high - low) || this.#lastBad >= first) {
      this.highest = Number.NaN;
      this.lowest = Number.NaN;
      return;
    }
    this.highest = Math.max(this.#hi.front(), high);
    this.lowest = Math.min(this.#lo.front(), low);
  }

  reset(): void {
    this.#hi.clear();
    this.#lo.clear();
    this.#count = 0;
    this.#lastBad = Number.NEGATIVE_INFINITY;
    this.#pendingHigh = this.#pendingLow = Number.NaN;
    this.highest = this.lowest = Number.NaN;
  }
}
