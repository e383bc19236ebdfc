import { BarSeries } from './bar-series';
import type { Bar, Model, ModelOutcome, ModelPrediction } from './types';

export interface ModelDefinition {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly requiredBars: number;
  /** Decides on the last bar; only called with at least `requiredBars` bars. */
  decide(series: BarSeries): ModelPrediction;
}

/**
 * Wraps a rule into a `Model`: checks the warm-up (an explicit `INSUFFICIENT_BARS`, never a throw), and keeps
 * confidence in [0, 1] and NaN out of the answer, so each model file states only its rule.
 */
export function defineModel(definition: ModelDefinition): Model {
  const { id, version, description, requiredBars, decide } = definition;
  if (!Number.isInteger(requiredBars) || requiredBars < 1) {
    throw new RangeError(`Model "${id}": requiredBars must be an integer >= 1 (got ${requiredBars})`);
  }
  return {
    id,
    version,
    description,
    requiredBars,
    predict(bars: readonly Bar[] | BarSeries): ModelOutcome {
      const receivedBars = bars.length;
      if (receivedBars < requiredBars) {
        return {
          error: 'INSUFFICIENT_BARS',
          message: `Model "${id}" needs at least ${requiredBars} bars; the series has ${receivedBars}`,
          requiredBars,
          receivedBars,
        };
      }
      const prediction = decide(BarSeries.from(bars));
      const confidence = Number.isFinite(prediction.confidence) ? Math.min(1, Math.max(0, prediction.confidence)) : 0;
      return { decision: prediction.decision, confidence, meta: finiteMeta(prediction.meta) };
    },
  };
}

/** A NaN or infinity would not survive JSON; it becomes null. */
function finiteMeta(meta: ModelPrediction['meta']): ModelPrediction['meta'] {
  let clean: Record<string, ModelPrediction['meta'][string]> | undefined;
  for (const key in meta) {
    const v = meta[key];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      clean ??= { ...meta };
      clean[key] = null;
    }
  }
  return clean ?? meta;
}

/** NEUTRAL with no conviction, for a bar where the rule's inputs are undefined (e.g. a flat series). */
export function undecided(reason: string, meta: ModelPrediction['meta'] = {}): ModelPrediction {
  return { decision: 'NEUTRAL', confidence: 0, meta: { ...meta, reason } };
}
