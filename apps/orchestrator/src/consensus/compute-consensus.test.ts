import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { computeConsensus, type Vote } from './compute-consensus';

const v = (model_id: string, decision: Vote['decision'], confidence: number): Vote => ({
  model_id,
  decision,
  confidence,
});

describe('computeConsensus: cases', () => {
  test('a clear weighted majority wins with confidence equal to the weighted lean', () => {
    const r = computeConsensus([v('a', 'BUY', 0.8), v('b', 'BUY', 0.6), v('c', 'SELL', 0.5)]);
    assert.equal(r.decision, 'BUY');
    assert.equal(r.confidence, Math.round(((0.8 + 0.6 - 0.5) / 3) * 1e6) / 1e6);
  });

  test('an exact tie is NEUTRAL with zero confidence (no model said NEUTRAL)', () => {
    const r = computeConsensus([v('a', 'BUY', 0.7), v('b', 'SELL', 0.7)]);
    assert.equal(r.decision, 'NEUTRAL');
    assert.equal(r.confidence, 0);
  });

  test('a weak majority (lean below minMargin) is NEUTRAL', () => {
    // lean = (0.6 + 0.6 + 0.6 - 0.6 - 0.6) / 5 = 0.12 < 0.15
    const votes = [
      v('a', 'BUY', 0.6),
      v('b', 'BUY', 0.6),
      v('c', 'BUY', 0.6),
      v('d', 'SELL', 0.6),
      v('e', 'SELL', 0.6),
    ];
    assert.equal(computeConsensus(votes).decision, 'NEUTRAL');
    assert.equal(computeConsensus(votes, { minMargin: 0.1 }).decision, 'BUY');
  });

  test('NEUTRAL voters dilute the lean and lend their confidence to a NEUTRAL outcome', () => {
    const r = computeConsensus([v('a', 'BUY', 0.3), v('b', 'NEUTRAL', 0.9), v('c', 'NEUTRAL', 0.9)]);
    assert.equal(r.decision, 'NEUTRAL');
    assert.equal(r.confidence, 0.6);
  });

  test('track-record weights decide: a trusted minority outvotes two weak models', () => {
    const votes = [v('good', 'SELL', 0.8), v('weak-1', 'BUY', 0.8), v('weak-2', 'BUY', 0.8)];
    assert.equal(computeConsensus(votes).decision, 'BUY');
    const r = computeConsensus(votes, { weights: { good: 4, 'weak-1': 0.5, 'weak-2': 0.5 } });
    assert.equal(r.decision, 'SELL');
    assert.deepEqual(
      r.contributors.map((c) => [c.model_id, c.weight]),
      [
        ['good', 4],
        ['weak-1', 0.5],
        ['weak-2', 0.5],
      ],
    );
  });

  test('a model without a track record weighs 1; a model with weight 0 is listed but does not count', () => {
    const r = computeConsensus([v('a', 'BUY', 0.9), v('b', 'SELL', 1)], { weights: { b: 0 } });
    assert.equal(r.decision, 'BUY');
    assert.equal(r.confidence, 0.9);
    assert.deepEqual(
      r.contributors.map((c) => c.weight),
      [1, 0],
    );
  });

  test('every weight 0 gives NEUTRAL with zero confidence', () => {
    const r = computeConsensus([v('a', 'BUY', 0.9)], { weights: { a: 0 } });
    assert.deepEqual([r.decision, r.confidence], ['NEUTRAL', 0]);
  });

  test('bad input is refused: no votes, a duplicate model, a negative weight, confidence outside [0, 1]', () => {
    assert.throws(() => computeConsensus([]), /at least one vote/);
    assert.throws(() => computeConsensus([v('a', 'BUY', 1), v('a', 'SELL', 1)]), /voted twice/);
    assert.throws(() => computeConsensus([v('a', 'BUY', 1)], { weights: { a: -1 } }), /finite number >= 0/);
    assert.throws(() => computeConsensus([v('a', 'BUY', 1.5)]), /between 0 and 1/);
  });
});

const decision = fc.constantFrom('BUY' as const, 'SELL' as const, 'NEUTRAL' as const);
const votesArb = fc.uniqueArray(
  fc.record({
    model_id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    decision,
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { minLength: 1, maxLength: 12, selector: (x) => x.model_id },
);
const withWeights = votesArb.chain((votes) =>
  fc.tuple(
    fc.constant(votes),
    fc.dictionary(fc.constantFrom(...votes.map((x) => x.model_id)), fc.double({ min: 0, max: 10, noNaN: true })),
  ),
);
const mirror = (d: Vote['decision']) => (d === 'BUY' ? 'SELL' : d === 'SELL' ? 'BUY' : 'NEUTRAL');

describe('computeConsensus: properties', () => {
  test('decision is one of the three, confidence is in [0, 1], every input is a contributor with its weight', () => {
    fc.assert(
      fc.property(withWeights, ([votes, weights]) => {
        const r = computeConsensus(votes, { weights });
        assert.ok(['BUY', 'SELL', 'NEUTRAL'].includes(r.decision));
        assert.ok(r.confidence >= 0 && r.confidence <= 1);
        assert.equal(r.contributors.length, votes.length);
        for (const x of votes) {
          const c = r.contributors.find((y) => y.model_id === x.model_id);
          assert.ok(c);
          assert.equal(c.decision, x.decision);
          assert.equal(c.confidence, x.confidence);
          assert.equal(c.weight, weights[x.model_id] ?? 1);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('the order of the votes does not matter', () => {
    fc.assert(
      fc.property(
        withWeights.chain(([votes, weights]) =>
          fc.tuple(fc.constant(votes), fc.constant(weights), fc.shuffledSubarray(votes, { minLength: votes.length })),
        ),
        ([votes, weights, shuffled]) => {
          assert.deepEqual(computeConsensus(shuffled, { weights }), computeConsensus(votes, { weights }));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('scaling every weight by a power of two changes nothing', () => {
    fc.assert(
      fc.property(withWeights, fc.integer({ min: -8, max: 8 }), ([votes, weights], e) => {
        // Exact only while every scaled weight stays a normal double: a subnormal weight (5e-324) halved is 0.
        const normal = (w: number) => w === 0 || (w >= 2 ** -1014 && w <= Number.MAX_VALUE / 2 ** 8);
        fc.pre(votes.every((x) => normal(weights[x.model_id] ?? 1)));
        const k = 2 ** e;
        const full = Object.fromEntries(votes.map((x) => [x.model_id, (weights[x.model_id] ?? 1) * k]));
        const a = computeConsensus(votes, {
          weights: Object.fromEntries(votes.map((x) => [x.model_id, weights[x.model_id] ?? 1])),
        });
        const b = computeConsensus(votes, { weights: full });
        assert.equal(b.decision, a.decision);
        assert.equal(b.confidence, a.confidence);
      }),
      { numRuns: 500 },
    );
  });

  test('mirroring every BUY and SELL mirrors the decision and keeps the confidence', () => {
    fc.assert(
      fc.property(withWeights, ([votes, weights]) => {
        const a = computeConsensus(votes, { weights });
        const b = computeConsensus(
          votes.map((x) => ({ ...x, decision: mirror(x.decision) })),
          { weights },
        );
        assert.equal(b.decision, mirror(a.decision));
        assert.equal(b.confidence, a.confidence);
      }),
      { numRuns: 500 },
    );
  });

  test('a unanimous vote whose confidences all reach minMargin wins', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BUY' as const, 'SELL' as const),
        fc.array(fc.double({ min: 0.15, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
        (d, confidences) => {
          const r = computeConsensus(confidences.map((c, i) => v(`m${i}`, d, c)));
          assert.equal(r.decision, d);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a model with weight 0 changes nothing', () => {
    fc.assert(
      fc.property(withWeights, decision, fc.double({ min: 0, max: 1, noNaN: true }), ([votes, weights], d, c) => {
        const base = computeConsensus(votes, { weights });
        const extra = computeConsensus([...votes, v('zzz-zero', d, c)], { weights: { ...weights, 'zzz-zero': 0 } });
        assert.equal(extra.decision, base.decision);
        assert.equal(extra.confidence, base.confidence);
      }),
      { numRuns: 300 },
    );
  });

  test('an extra BUY vote never turns BUY into something else, nor NEUTRAL into SELL', () => {
    fc.assert(
      fc.property(votesArb, fc.double({ min: 0, max: 1, noNaN: true }), (votes, c) => {
        const before = computeConsensus(votes);
        const after = computeConsensus([...votes, v('zzz-extra', 'BUY', c)]);
        if (before.decision === 'BUY' && c >= before.net) assert.equal(after.decision, 'BUY');
        if (before.decision === 'NEUTRAL') assert.notEqual(after.decision, 'SELL');
      }),
      { numRuns: 500 },
    );
  });

  test('a tie between BUY and SELL of equal weight and confidence is NEUTRAL', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), (c, w) => {
        const r = computeConsensus([v('a', 'BUY', c), v('b', 'SELL', c)], { weights: { a: w, b: w } });
        assert.equal(r.decision, 'NEUTRAL');
      }),
    );
  });
});
