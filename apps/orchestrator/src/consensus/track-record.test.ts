import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '@neuronetiq/client';
import type { TrackRecord } from '@neuronetiq/contracts';
import { createTrackRecordWeights, weightBook, weightFromRecord } from './track-record';

const record = (over: Partial<TrackRecord>): TrackRecord => ({
  owner: 'pacey999',
  model_id: 'a',
  symbol: 'EURUSD',
  timeframe: '1m',
  scored: 0,
  resolved: 0,
  hits: 0,
  hit_rate: null,
  avg_return: null,
  first_bar_ts: '2026-01-05T12:00:00.000Z',
  last_bar_ts: '2026-01-05T12:00:00.000Z',
  ...over,
});

describe('track-record weights', () => {
  test('the rule: 2 × Laplace-smoothed hit rate once enough calls resolved, none before', () => {
    assert.equal(weightFromRecord({ resolved: 19, hits: 19 }, 20), undefined);
    assert.equal(weightFromRecord({ resolved: 20, hits: 10 }, 20), 1, 'a coin flip weighs 1');
    assert.equal(weightFromRecord({ resolved: 200, hits: 120 }, 20), (2 * 121) / 202);
    assert.equal(weightFromRecord({ resolved: 100, hits: 0 }, 20), 2 / 102, 'always wrong: near 0, never negative');
    assert.equal(weightFromRecord({ resolved: 100, hits: 100 }, 20), (2 * 101) / 102, 'always right: under 2');
  });

  test('a book is per series, and falls back to the static weights for models and series without a record', () => {
    const book = weightBook(
      [
        record({ model_id: 'a', resolved: 50, hits: 40 }),
        record({ model_id: 'b', resolved: 5, hits: 5 }),
        record({ model_id: 'a', symbol: 'GBPUSD', resolved: 50, hits: 10 }),
      ],
      20,
      { b: 0.5, c: 3 },
    );
    assert.deepEqual(book({ symbol: 'EURUSD', timeframe: '1m' }), { a: (2 * 41) / 52, b: 0.5, c: 3 });
    assert.deepEqual(book({ symbol: 'GBPUSD', timeframe: '1m' }), { a: (2 * 11) / 52, b: 0.5, c: 3 });
    assert.deepEqual(book({ symbol: 'EURUSD', timeframe: '5m' }), { b: 0.5, c: 3 });
    assert.equal(weightBook([], 20, undefined)({ symbol: 'EURUSD', timeframe: '1m' }), undefined);
  });

  test('records are read once per refresh period, and an api failure keeps the last good book', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    let hits = 40;
    const api = {
      async getPerformance(q: { owner?: string; window?: number; horizon?: number }) {
        calls++;
        assert.deepEqual(q, { owner: 'pacey999', window: 200, horizon: 1 });
        if (fail) throw new Error('api down');
        return [record({ resolved: 50, hits })];
      },
    };
    const weights = createTrackRecordWeights(
      api,
      { owner: 'pacey999', window: 200, minResolved: 20, refreshMs: 1_000 },
      { now: () => now, logger: silentLogger },
    );
    const eur = { symbol: 'EURUSD', timeframe: '1m' } as const;
    assert.deepEqual((await weights.get())(eur), { a: (2 * 41) / 52 });
    hits = 10;
    now = 999;
    assert.deepEqual((await weights.get())(eur), { a: (2 * 41) / 52 }, 'cached within the refresh period');
    assert.equal(calls, 1);
    now = 1_000;
    assert.deepEqual((await weights.get())(eur), { a: (2 * 11) / 52 }, 'read again after it');
    fail = true;
    now = 5_000;
    assert.deepEqual((await weights.get())(eur), { a: (2 * 11) / 52 }, 'the last good book while the api is down');
    assert.equal(calls, 3);
  });
});
