// The consensus rule: a confidence-weighted vote. Pure: no I/O, no clock.
//
// Each contributing model i says BUY, SELL or NEUTRAL with a confidence c_i in [0, 1] and has a weight w_i >= 0:
// its track-record weight when one is known, else 1 (weights are on a scale where 1 means "no evidence either
// way"; a model with weight 0 is listed but does not count). Its position is p_i = +c_i for BUY, -c_i for SELL and 0
// for NEUTRAL. The consensus leans by the weighted mean position
//
//     net = Σ w_i p_i / Σ w_i            (in [-1, 1]; 0 when every weight is 0)
//
// and decides BUY when net >= minMargin, SELL when net <= -minMargin, and NEUTRAL otherwise: a tie (net = 0) and a
// weak majority (|net| < minMargin) are NEUTRAL. Its confidence is |net| for BUY and SELL (how far the weighted
// vote leans), and for NEUTRAL the weighted mean confidence of the models that themselves said NEUTRAL,
// Σ_{NEUTRAL} w_i c_i / Σ w_i (0 when the neutrality comes only from disagreement: no conviction either way).
//
// Properties (tested with fast-check): the result does not depend on the order of the inputs or on the scale of the
// weights; mirroring every BUY and SELL mirrors the decision; a unanimous vote whose confidences are all at least
// minMargin wins; a zero-weight model changes nothing; `contributors` lists every input with the weight it had.
import type { Contributor, Decision } from '@neuronetiq/contracts';

export interface Vote {
  model_id: string;
  decision: Decision;
  confidence: number;
}

export interface ConsensusOptions {
  /** Track-record weight per model id; a model missing here weighs 1. */
  weights?: Readonly<Record<string, number>>;
  /** Smallest |net| that is not NEUTRAL, in [0, 1]. */
  minMargin?: number;
}

export interface ConsensusResult {
  decision: Decision;
  confidence: number;
  /** Every vote, sorted by model id, with its weight. */
  contributors: Contributor[];
  /** The weighted mean position, for meta and for explaining the decision. */
  net: number;
}

export const CONSENSUS_RULE = 'confidence-weighted-vote/1';
export const DEFAULT_MIN_MARGIN = 0.15;

// Rounded so that the payload (and so its idempotency) is the same on every run and on every platform.
const round = (x: number) => Math.round(x * 1e6) / 1e6;

function weightOf(modelId: string, weights: Readonly<Record<string, number>> | undefined): number {
  const w = weights?.[modelId];
  if (w === undefined) return 1;
  if (!Number.isFinite(w) || w < 0) throw new RangeError(`weight of model "${modelId}" must be a finite number >= 0`);
  return w;
}

export function computeConsensus(votes: readonly Vote[], options: ConsensusOptions = {}): ConsensusResult {
  const minMargin = options.minMargin ?? DEFAULT_MIN_MARGIN;
  if (!(minMargin >= 0 && minMargin <= 1)) throw new RangeError('minMargin must be between 0 and 1');
  if (votes.length === 0) throw new RangeError('a consensus needs at least one vote');
  // Summing in model-id order makes the floating-point result independent of the input order.
  const sorted = [...votes].sort((a, b) => (a.model_id < b.model_id ? -1 : a.model_id > b.model_id ? 1 : 0));
  let total = 0;
  let lean = 0;
  let neutral = 0;
  const contributors: Contributor[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as Vote;
    if (i > 0 && sorted[i - 1]?.model_id === v.model_id) throw new RangeError(`model "${v.model_id}" voted twice`);
    if (!(v.confidence >= 0 && v.confidence <= 1)) {
      throw new RangeError(`confidence of model "${v.model_id}" must be between 0 and 1`);
    }
    const w = weightOf(v.model_id, options.weights);
    total += w;
    if (v.decision === 'BUY') lean += w * v.confidence;
    else if (v.decision === 'SELL') lean -= w * v.confidence;
    else neutral += w * v.confidence;
    contributors.push({ model_id: v.model_id, decision: v.decision, confidence: v.confidence, weight: w });
  }
  const net = total > 0 ? lean / total : 0;
  // Compared on the rounded value: what is stored is what decided.
  const rounded = round(net);
  if (rounded !== 0 && Math.abs(rounded) >= minMargin) {
    return { decision: rounded > 0 ? 'BUY' : 'SELL', confidence: Math.abs(rounded), contributors, net: rounded };
  }
  return { decision: 'NEUTRAL', confidence: total > 0 ? round(neutral / total) : 0, contributors, net: rounded };
}
