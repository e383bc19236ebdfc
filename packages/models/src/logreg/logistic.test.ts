import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictProbability, sigmoid, trainLogistic } from './logistic';

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

test('sigmoid is stable at the extremes', () => {
  assert.equal(sigmoid(0), 0.5);
  assert.equal(sigmoid(1000), 1);
  assert.equal(sigmoid(-1000), 0);
  assert.ok(Math.abs(sigmoid(2) + sigmoid(-2) - 1) < 1e-15);
});

test('trainLogistic recovers the coefficients that generated the labels', () => {
  const random = seeded(1);
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const x = [random() * 2 - 1, random() * 2 - 1];
    xs.push(x);
    ys.push(random() < sigmoid(0.5 + 2 * (x[0] as number) - 1 * (x[1] as number)) ? 1 : 0);
  }
  const model = trainLogistic(xs, ys, { l2: 0 });
  // Weights are on standardised inputs: multiply back by the std (~0.577 for U(-1, 1)).
  const w0 = (model.weights[0] as number) / (model.std[0] as number);
  const w1 = (model.weights[1] as number) / (model.std[1] as number);
  assert.ok(Math.abs(w0 - 2) < 0.15, `w0 ${w0}`);
  assert.ok(Math.abs(w1 + 1) < 0.15, `w1 ${w1}`);
  const p = predictProbability(model, [0, 0]);
  assert.ok(Math.abs(p - sigmoid(0.5)) < 0.03, `p(0,0) ${p}`);
});

test('trainLogistic is deterministic and L2 shrinks the weights', () => {
  const random = seeded(2);
  const xs = Array.from({ length: 500 }, () => [random(), random(), random()]);
  const ys = xs.map((x) => ((x[0] as number) + random() > 1 ? 1 : 0));
  assert.deepEqual(trainLogistic(xs, ys, { l2: 1 }), trainLogistic(xs, ys, { l2: 1 }));
  const loose = trainLogistic(xs, ys, { l2: 0 });
  const tight = trainLogistic(xs, ys, { l2: 1000 });
  assert.ok(Math.abs(tight.weights[0] as number) < Math.abs(loose.weights[0] as number));
});
