import { type LogisticModel, predictProbability, trainLogistic } from '../logreg/logistic';
import type { Dataset } from './dataset';

export interface WalkForwardOptions {
  /** Number of test blocks; the samples are cut into folds + 1 contiguous blocks and block 0 only ever trains. */
  readonly folds: number;
  readonly l2: number;
  /** |p − 0.5| below this is NEUTRAL (no decision, not scored). */
  readonly threshold: number;
}

export interface FoldResult {
  readonly fold: number;
  /** Sample positions [from, to) in the dataset. */
  readonly train: { readonly from: number; readonly to: number };
  readonly test: { readonly from: number; readonly to: number };
  readonly decisions: number;
  readonly hits: number;
  /** hits / decisions: of the BUY and SELL calls, the share the next bar agreed with. */
  readonly hitRate: number;
  /** decisions / test samples. */
  readonly coverage: number;
  /** Share of test samples whose next bar went up (what "always BUY" would hit). */
  readonly baseRateUp: number;
}

export interface WalkForwardResult {
  readonly folds: FoldResult[];
  /** Over every test block: total hits / total decisions. */
  readonly hitRate: number;
  readonly decisions: number;
  readonly coverage: number;
  /** The last fold's model: trained on everything before the final test block, so `folds.at(-1)` is its own
   * out-of-sample record. */
  readonly model: LogisticModel;
}

/**
 * Expanding-window walk-forward: fold k trains on blocks 0..k−1 and tests on block k. The last training sample
 * before a test block is dropped (an embargo of one bar) because its label is the test block's first close.
 */
export function walkForward(data: Dataset, options: WalkForwardOptions): WalkForwardResult {
  const n = data.xs.length;
  const blocks = options.folds + 1;
  if (n < blocks * 10) throw new RangeError(`walkForward: ${n} samples are too few for ${options.folds} folds`);
  const bound = (b: number) => Math.floor((b * n) / blocks);
  const folds: FoldResult[] = [];
  let model: LogisticModel | undefined;
  for (let k = 1; k <= options.folds; k++) {
    const testFrom = bound(k);
    const testTo = bound(k + 1);
    let trainTo = testFrom;
    while (trainTo > 0 && (data.index[trainTo - 1] as number) + 1 >= (data.index[testFrom] as number)) trainTo--;
    model = trainLogistic(data.xs.slice(0, trainTo), data.ys.slice(0, trainTo), { l2: options.l2 });
    let decisions = 0;
    let hits = 0;
    let ups = 0;
    for (let i = testFrom; i < testTo; i++) {
      const y = data.ys[i] as number;
      ups += y;
      const p = predictProbability(model, data.xs[i] as Float64Array);
      if (Math.abs(p - 0.5) < options.threshold) continue;
      decisions++;
      if ((p > 0.5 ? 1 : 0) === y) hits++;
    }
    folds.push({
      fold: k,
      train: { from: 0, to: trainTo },
      test: { from: testFrom, to: testTo },
      decisions,
      hits,
      hitRate: decisions > 0 ? hits / decisions : Number.NaN,
      coverage: decisions / (testTo - testFrom),
      baseRateUp: ups / (testTo - testFrom),
    });
  }
  const decisions = folds.reduce((s, f) => s + f.decisions, 0);
  const hits = folds.reduce((s, f) => s + f.hits, 0);
  const tested = folds.reduce((s, f) => s + (f.test.to - f.test.from), 0);
  return {
    folds,
    hitRate: decisions > 0 ? hits / decisions : Number.NaN,
    decisions,
    coverage: decisions / tested,
    model: model as LogisticModel,
  };
}
