import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from './dataset';
import { walkForward } from './walk-forward';

/** Labels that follow feature 0 with 80% reliability: a learnable signal with a known hit rate. */
function dataset(n: number): Dataset {
  let a = 12345;
  const random = () => {
    a = (a * 1_103_515_245 + 12_345) % 2 ** 31;
    return a / 2 ** 31;
  };
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  const index: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Float64Array.of(random() - 0.5, random() - 0.5);
    xs.push(x);
    ys.push((x[0] as number) > 0 === random() < 0.8 ? 1 : 0);
    index.push(i);
  }
  return { xs, ys, index };
}

test('walk-forward tests each block only on a model trained before it, with a one-bar embargo', () => {
  const result = walkForward(dataset(600), { folds: 5, l2: 1, threshold: 0 });
  assert.equal(result.folds.length, 5);
  for (const fold of result.folds) {
    assert.equal(fold.train.from, 0);
    assert.equal(fold.train.to, fold.test.from - 1); // the embargoed sample
  }
  assert.equal(result.folds.at(-1)?.test.to, 600);
});

test('walk-forward finds a real signal out of sample and is deterministic', () => {
  const data = dataset(3000);
  const a = walkForward(data, { folds: 5, l2: 1, threshold: 0 });
  const b = walkForward(data, { folds: 5, l2: 1, threshold: 0 });
  assert.deepEqual(a, b);
  assert.ok(a.hitRate > 0.74 && a.hitRate < 0.86, `hit rate ${a.hitRate}`);
  assert.equal(a.coverage, 1);
});

test('a wider threshold makes fewer decisions', () => {
  const data = dataset(3000);
  const all = walkForward(data, { folds: 5, l2: 1, threshold: 0 });
  const some = walkForward(data, { folds: 5, l2: 1, threshold: 0.2 });
  assert.ok(some.decisions < all.decisions);
});
