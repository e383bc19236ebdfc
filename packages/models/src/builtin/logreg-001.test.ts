import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarSeries } from '../bar-series';
import { FEATURE_NAMES, featureVector } from '../logreg/features';
import { predictProbability } from '../logreg/logistic';
import weightsJson from '../logreg/logreg-001.weights.json' with { type: 'json' };
import { barsFromCloses, randomWalk } from '../test-bars';
import { isInsufficientBars, type ModelPrediction } from '../types';
import { createLogregModel, LOGREG_WEIGHTS, LogregWeightsSchema, logreg001 } from './logreg-001';

function predict(model: typeof logreg001, closes: number[]): ModelPrediction {
  const outcome = model.predict(barsFromCloses(closes));
  assert.ok(!isInsufficientBars(outcome));
  return outcome;
}

test('logreg-001 weights load and record their data range and out-of-sample hit rate', () => {
  assert.equal(LOGREG_WEIGHTS.weights.length, FEATURE_NAMES.length);
  const training = LOGREG_WEIGHTS.training as {
    data: string;
    data_range: { from: string; to: string };
    out_of_sample: { hit_rate_committed_weights: number; hit_rate_all_folds: number };
  };
  assert.match(training.data, /\.csv$/);
  assert.ok(Date.parse(training.data_range.from) < Date.parse(training.data_range.to));
  for (const rate of [training.out_of_sample.hit_rate_committed_weights, training.out_of_sample.hit_rate_all_folds]) {
    assert.ok(rate > 0 && rate < 1, `hit rate ${rate}`);
  }
});

test('logreg-001 weights file is checked at load: a wrong feature list or a missing weight is refused', () => {
  assert.throws(() => LogregWeightsSchema.parse({ ...weightsJson, weights: weightsJson.weights.slice(1) }));
  assert.throws(() => LogregWeightsSchema.parse({ ...weightsJson, features: [...weightsJson.features].reverse() }));
});

test('logreg-001 predicts deterministically: same bars, same answer, equal to the logistic formula', () => {
  const closes = randomWalk(260, 3, 1.1);
  const a = predict(logreg001, closes);
  const b = predict(logreg001, [...closes]);
  assert.deepEqual(a, b);
  const x = featureVector(BarSeries.fromBars(barsFromCloses(closes)).tail(200));
  assert.ok(x);
  assert.equal(a.meta.p_up, predictProbability(LOGREG_WEIGHTS, x));
});

test('logreg-001 reads only the last 200 bars, so a longer window gives the same answer', () => {
  const closes = randomWalk(500, 9, 1.1);
  assert.deepEqual(predict(logreg001, closes), predict(logreg001, closes.slice(-200)));
  const short = logreg001.predict(barsFromCloses(closes.slice(-199)));
  assert.ok(isInsufficientBars(short));
  assert.equal(short.requiredBars, 200);
});

test('logreg-001 turns P(up) into BUY, SELL or NEUTRAL at the threshold', () => {
  const zero = new Array(FEATURE_NAMES.length).fill(0);
  const make = (bias: number) => createLogregModel({ ...LOGREG_WEIGHTS, weights: zero, bias, threshold: 0.05 });
  const closes = randomWalk(200, 5);
  const up = predict(make(1), closes); // p = sigmoid(1) = 0.731
  assert.equal(up.decision, 'BUY');
  assert.ok(Math.abs(up.confidence - 1 / (1 + Math.exp(-1))) < 1e-12);
  const down = predict(make(-1), closes);
  assert.equal(down.decision, 'SELL');
  assert.ok(Math.abs(down.confidence - 1 / (1 + Math.exp(-1))) < 1e-12);
  const flat = predict(make(0), closes); // p = 0.5
  assert.equal(flat.decision, 'NEUTRAL');
  assert.equal(flat.confidence, 0.5);
  assert.equal(predict(make(0.1), closes).decision, 'NEUTRAL'); // p = 0.525, inside 0.5 ± 0.05
});
