import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, testBackends } from '../testing';
import { repos } from './index';

const signal = (symbol: string, bar_ts: string) => ({
  owner: 'totals-owner',
  model_id: 'm1',
  symbol,
  timeframe: '1m' as const,
  bar_ts,
  decision: 'BUY' as const,
  confidence: 0.6,
  meta: {},
});

for (const backend of testBackends()) {
  describe(`repos.signals.totals [${backend}]`, () => {
    test('counts signals and consensus rows and names the newest signal bar; zeros and null when empty', async () => {
      const t = await createTestDatabase(backend);
      try {
        assert.deepEqual(await repos.signals.totals(t.db), { signals: 0, consensus: 0, latest: null });
        const receivedAtMs = Date.parse('2026-01-05T12:00:10Z');
        await repos.signals.store(
          t.db,
          [signal('EURUSD', '2026-01-05T12:00:00.000Z'), signal('GBPUSD', '2026-01-05T11:59:00.000Z')],
          { receivedAtMs },
        );
        const outcomes = await repos.consensus.store(
          t.db,
          [
            {
              owner: 'totals-owner',
              symbol: 'EURUSD',
              timeframe: '1m',
              bar_ts: '2026-01-05T12:00:00.000Z',
              decision: 'BUY',
              confidence: 0.6,
              contributors: [{ model_id: 'm1', decision: 'BUY', confidence: 0.6, weight: 1 }],
              meta: {},
            },
          ],
          { receivedAtMs },
        );
        assert.deepEqual(outcomes, ['stored']);
        assert.deepEqual(await repos.signals.totals(t.db), {
          signals: 2,
          consensus: 1,
          latest: '2026-01-05T12:00:00.000Z',
        });
      } finally {
        await t.close();
      }
    });
  });
}
