import type { Decision } from '@neuronetiq/contracts';
import type { BarSeries } from './bar-series';

/** One bar as models read it (`OhlcvBar` of `@neuronetiq/contracts` without symbol and timeframe). */
export interface Bar {
  /** Open time, ISO-8601 UTC. */
  readonly bar_ts: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** null when the source has no volume. */
  readonly volume: number | null;
}

/** What a model may put in `meta`: flat JSON scalars, so every prediction serialises the same way. */
export type PredictionMeta = Readonly<Record<string, number | string | boolean | null>>;

export interface ModelPrediction {
  readonly decision: Decision;
  /** 0 (no conviction) to 1. */
  readonly confidence: number;
  readonly meta: PredictionMeta;
}

/** The series is shorter than the model's warm-up; a normal outcome, not an exception. */
export interface InsufficientBars {
  readonly error: 'INSUFFICIENT_BARS';
  readonly message: string;
  readonly requiredBars: number;
  readonly receivedBars: number;
}

export type ModelOutcome = ModelPrediction | InsufficientBars;

export function isInsufficientBars(outcome: ModelOutcome): outcome is InsufficientBars {
  return 'error' in outcome;
}

/**
 * A signal model: a pure function of bars (no I/O, no clock, no randomness) that decides on the last bar.
 * `predict` also accepts a `BarSeries`, so that several models over the same bars share their indicator series.
 */
export interface Model {
  /** Slug, unique in the registry (`baseline-rsi-001`). */
  readonly id: string;
  /** Semantic version of the rule or of the weights; bumped whenever a decision could change. */
  readonly version: string;
  readonly description: string;
  /** Fewest bars the model decides on; fewer gets `INSUFFICIENT_BARS`. */
  readonly requiredBars: number;
  predict(bars: readonly Bar[] | BarSeries): ModelOutcome;
}
