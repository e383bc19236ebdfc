// The worked example of docs/metrics.md, stored as raw rows and read back through the metrics repository: every figure
// must equal the document's to the 12 significant digits it prints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { PerformanceMetricsQuerySchema } from '@neuronetiq/contracts';
import { repos } from './repositories/index';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

const HOUR = 3_600_000;
const T = Date.parse('2026-01-05T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const NOW = T + 10 * 24 * HOUR;

const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
const block = doc.match(/```json metrics-example\n([\s\S]*?)```/)?.[1];
const expected = JSON.parse(block ?? 'null') as Record<string, number | boolean>;

// The example's seven signals (decision, confidence, exit close after an entry close of 100).
const EXAMPLE = [
  ['BUY', 0.9, 102],
  ['SELL', 0.6, 101],
  ['BUY', 0.7, 103],
  ['SELL', 0.8, 98],
  ['NEUTRAL', 0.5, 99],
  ['BUY', 0.55, 97],
  ['SELL', 0.65, 100],
] as const;

const significant = (v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v);

for (const backend of testBackends()) {
  describe(`docs/metrics.md worked example [${backend}]`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(backend);
      await t.db.query(
        `INSERT INTO ml.models (owner, model_id, name, visibility) VALUES ('ex', 'm', 'Example', 'public')`,
      );
      for (const [i, [decision, confidence, exit]] of EXAMPLE.entries()) {
        const symbol = `EX${i}`;
        const bar = T + i * HOUR;
        await t.db.query(
          `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
           VALUES ('ex', 'm', $1, '1h', $2, $3, $4, $5)`,
          [symbol, iso(bar), decision, confidence, iso(bar + 10_000)],
        );
        await t.db.query(
          `INSERT INTO market.ohlcv (symbol, timeframe, bar_ts, open, high, low, close)
           VALUES ($1, '1h', $2, 100, 100, 100, 100), ($1, '1h', $3, 100, greatest(100, $4), least(100, $4), $4)`,
          [symbol, iso(bar), iso(bar + HOUR), exit],
        );
      }
      await t.db.query(
        `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at, late)
         VALUES ('ex', 'm', 'EX7', '1h', $1, 'BUY', 0.5, $2, true)`,
        [iso(T + 7 * HOUR), iso(T + 9 * HOUR)],
      );
    });
    after(() => t.close());

    const query = (over: Record<string, string> = {}) =>
      ({ ...PerformanceMetricsQuerySchema.parse({ period: 'all', ...over }), nowMs: NOW }) as const;

    test('every figure of the example equals the document to the last printed digit', async () => {
      assert.ok(block, 'docs/metrics.md has a ```json metrics-example block');
      const { rows, total } = await repos.metrics.find(t.db, query());
      assert.equal(total, 1);
      const [row] = rows;
      assert.ok(row);
      const got = Object.fromEntries(Object.keys(expected).map((k) => [k, significant(row[k as keyof typeof row])]));
      assert.deepEqual(got, expected);
      assert.deepEqual([row.owner, row.model_id, row.timeframes, row.horizon_bars], ['ex', 'm', ['1h'], 1]);
    });

    test("a vendor's figures over its one model equal the model's; the 7-day period ending 10 days later is empty", async () => {
      const model = (await repos.metrics.find(t.db, query())).rows[0];
      const vendor = (await repos.metrics.find(t.db, query({ group: 'vendor' }))).rows[0];
      assert.deepEqual({ ...vendor, model_id: 'm' }, model);
      assert.deepEqual(await repos.metrics.find(t.db, query({ period: '7d' })), { rows: [], total: 0 });
    });

    test('the equity curve is the running sum of position returns with its drawdown and hit rate', async () => {
      const points = await repos.metrics.curve(t.db, {
        ...query(),
        owner: 'ex',
        model_id: 'm',
        points: 500,
      });
      assert.deepEqual(
        points.map((p) => [significant(p.equity), significant(p.drawdown), p.hit_rate, p.n]),
        [
          [0.02, 0, 1, 1],
          [0.01, 0.01, 0.5, 2],
          [0.04, 0, 2 / 3, 3],
          [0.06, 0, 0.75, 4],
          [0.06, 0, 0.75, 5],
          [0.03, 0.03, 0.6, 6],
          [0.03, 0.03, 0.6, 7],
        ],
      );
      const thinned = await repos.metrics.curve(t.db, { ...query(), owner: 'ex', points: 3 });
      assert.deepEqual(
        thinned.map((p) => p.n),
        [3, 6, 7],
        'every third point and the last: at most 3',
      );
    });
  });
}
