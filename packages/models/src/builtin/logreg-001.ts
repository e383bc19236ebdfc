import { z } from 'zod';
import { defineModel, undecided } from '../define-model';
import { FEATURE_NAMES, FEATURE_WINDOW_BARS, featureVector } from '../logreg/features';
import { predictProbability } from '../logreg/logistic';
import weightsJson from '../logreg/logreg-001.weights.json' with { type: 'json' };

const finite = z.number().refine(Number.isFinite, { error: 'must be finite' });
const vector = z.array(finite).length(FEATURE_NAMES.length);

/** The committed weights file, written by `npm run train`; checked at load so a bad file fails loudly, once. */
export const LogregWeightsSchema = z.object({
  model_id: z.literal('logreg-001'),
  version: z.string(),
  features: z.array(z.string()).refine((f) => f.join() === FEATURE_NAMES.join(), {
    error: `features must be ${FEATURE_NAMES.join(', ')} in that order`,
  }),
  window_bars: z.literal(FEATURE_WINDOW_BARS),
  /** |p − 0.5| below this is NEUTRAL. */
  threshold: z.number().min(0).max(0.5),
  mean: vector,
  std: vector.refine((s) => s.every((v) => v > 0), { error: 'std must be > 0' }),
  weights: vector,
  bias: finite,
  training: z.record(z.string(), z.unknown()),
});
export type LogregWeights = z.infer<typeof LogregWeightsSchema>;

export const LOGREG_WEIGHTS: LogregWeights = LogregWeightsSchema.parse(weightsJson);

/**
 * Learned model: logistic regression of "the next bar closes higher than this one" on the twelve scale-free
 * indicator features of `./features.ts`, read on the last bar of the last 200 bars (older bars are ignored, so the
 * answer does not depend on how long a window the caller sends, and training saw exactly what inference sees).
 * With p = P(up):
 * - p ≥ 0.5 + threshold → BUY, confidence p;
 * - p ≤ 0.5 − threshold → SELL, confidence 1 − p;
 * - otherwise NEUTRAL, confidence 0.5 × (1 − |p − 0.5| / threshold).
 * Weights, threshold, the data they were fitted on and the walk-forward out-of-sample hit rate are in
 * `logreg-001.weights.json` (`training`); `npm run train -- --data <csv>` rewrites it.
 */
export function createLogregModel(weights: LogregWeights) {
  return defineModel({
    id: weights.model_id,
    version: weights.version,
    description: `Logistic regression on ${FEATURE_NAMES.length} indicator features, P(next close higher); trained walk-forward.`,
    requiredBars: weights.window_bars,
    decide(series) {
      const x = featureVector(series.tail(weights.window_bars));
      if (x === null) return undecided('a feature is undefined on this window (e.g. zero ATR)');
      const p = predictProbability(weights, x);
      const meta = { p_up: p };
      if (p >= 0.5 + weights.threshold) return { decision: 'BUY', confidence: p, meta };
      if (p <= 0.5 - weights.threshold) return { decision: 'SELL', confidence: 1 - p, meta };
      const confidence = weights.threshold > 0 ? 0.5 * (1 - Math.abs(p - 0.5) / weights.threshold) : 0.5;
      return { decision: 'NEUTRAL', confidence, meta };
    },
  });
}

export const logreg001 = createLogregModel(LOGREG_WEIGHTS);
