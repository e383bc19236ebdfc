import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { DECISIONS, SlugSchema } from '@neuronetiq/contracts';
import { BarSeries } from './bar-series';
import { baselineRsi001 } from './builtin/baseline-rsi-001';
import { BUILTIN_MODELS, createModelRegistry } from './registry';
import { barsFromCloses, randomWalk } from './test-bars';
import { isInsufficientBars } from './types';

test('every model file under builtin/ is in the registry (adding a model is adding its file and its line)', () => {
  const files = readdirSync(new URL('./builtin/', import.meta.url)).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  const ids = BUILTIN_MODELS.map((m) => m.id).sort();
  assert.deepEqual(files.map((f) => f.slice(0, -3)).sort(), ids);
});

test('registry lists the five built-in models with slug ids, versions, descriptions and warm-ups', () => {
  const registry = createModelRegistry();
  assert.deepEqual(
    registry.list().map((m) => m.id),
    ['baseline-rsi-001', 'macd-cross-001', 'bollinger-revert-001', 'ema-trend-001', 'logreg-001'],
  );
  for (const m of registry.list()) {
    assert.ok(SlugSchema.safeParse(m.id).success, m.id);
    assert.match(m.version, /^\d+\.\d+\.\d+$/);
    assert.ok(m.description.length > 10);
    assert.ok(Number.isInteger(m.requiredBars) && m.requiredBars >= 1);
  }
});

test('registry finds models by id and names the unknown ones', () => {
  const registry = createModelRegistry();
  assert.equal(registry.find('baseline-rsi-001'), baselineRsi001);
  assert.equal(registry.find('nope'), undefined);
  assert.deepEqual(registry.unknownIds(['baseline-rsi-001', 'nope', 'logreg-001', 'x']), ['nope', 'x']);
});

test('registry refuses two models with one id', () => {
  assert.throws(() => createModelRegistry([baselineRsi001, baselineRsi001]), /"baseline-rsi-001" is registered twice/);
});

test('every model answers INSUFFICIENT_BARS one bar short of its warm-up, never throws', () => {
  for (const model of BUILTIN_MODELS) {
    for (const n of [0, 1, model.requiredBars - 1]) {
      const outcome = model.predict(barsFromCloses(randomWalk(n, 7)));
      assert.ok(isInsufficientBars(outcome), `${model.id} with ${n} bars`);
      assert.equal(outcome.error, 'INSUFFICIENT_BARS');
      assert.equal(outcome.requiredBars, model.requiredBars);
      assert.equal(outcome.receivedBars, n);
    }
  }
});

test('every model decides from its warm-up on: a decision, confidence in [0, 1], JSON-safe meta', () => {
  for (const model of BUILTIN_MODELS) {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const n of [model.requiredBars, model.requiredBars + 137]) {
        const outcome = model.predict(barsFromCloses(randomWalk(n, seed)));
        assert.ok(!isInsufficientBars(outcome), `${model.id} with ${n} bars`);
        assert.ok(DECISIONS.includes(outcome.decision));
        assert.ok(outcome.confidence >= 0 && outcome.confidence <= 1, `${model.id} confidence ${outcome.confidence}`);
        assert.deepEqual(JSON.parse(JSON.stringify(outcome.meta)), outcome.meta);
      }
    }
  }
});

test('models give the same answer from a bar array and from a shared BarSeries', () => {
  const bars = barsFromCloses(randomWalk(300, 11));
  const shared = BarSeries.fromBars(bars);
  for (const model of BUILTIN_MODELS) assert.deepEqual(model.predict(shared), model.predict(bars), model.id);
});
