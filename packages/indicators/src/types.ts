/** One bar for indicators that read the range (ATR, ADX, stochastic, CCI, Williams %R). Any object with these
 * fields works, an `OhlcvBar` of `@neuronetiq/contracts` included. */
export interface HighLowClose {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** One bar for OBV. `volume` in units of the instrument (shares, lots, coins); must be a number, not null. */
export interface CloseVolume {
  readonly close: number;
  readonly volume: number;
}

/** One bar for VWAP. */
export interface HighLowCloseVolume extends HighLowClose {
  readonly volume: number;
}

/**
 * The streaming form of an indicator: feed bars one at a time, in order.
 *
 * - `update(bar)` appends a closed-or-forming bar and returns the indicator's value at that bar (NaN during the
 *   warm-up), in O(1) time and without allocating (multi-output indicators allocate their small result object).
 * - `replace(bar)` swaps the most recent bar for a newer version of it (a bar that is still forming: its close,
 *   high, low or volume moved) and returns the recomputed value. Any number of `replace` calls may follow an
 *   `update`; the state is as if only the latest version had ever been given to `update`.
 * - After N updates (with or without replaces) the value equals element N-1 of the batch function's output for
 *   the same N bars, bit for bit.
 */
export interface IndicatorStream<TBar, TValue> {
  update(bar: TBar): TValue;
  replace(bar: TBar): TValue;
  /** The value returned by the last `update` or `replace` (NaN, or an object of NaNs, before the first). */
  readonly value: TValue;
  /** Bars seen (a `replace` does not add one). */
  readonly count: number;
  /** Forget every bar, as if newly constructed with the same parameters. */
  reset(): void;
}
