import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { trimEventLogRows } from './trim-event-log';

for (const backend of testBackends()) {
  describe(`event log housekeeping [${backend}]`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(backend);
    });
    after(async () => t.close());

    test('deletes rows older than the retention and keeps the newer ones', async () => {
      const symbol = 'TRIMTEST';
      await t.db.query(
        `INSERT INTO app.event_log (type, symbol, timeframe, bar_ts, at)
         SELECT 'bar', $1, '1m', ARRAY[now()], now() - make_interval(hours => h) FROM unnest(ARRAY[1, 23, 25, 48]) h`,
        [symbol],
      );
      const trimmed = await trimEventLogRows(t.db, 24 * 60 * 60 * 1000);
      assert.equal(trimmed, 2);
      const [row] = await t.db.query<{ n: number; oldest: number }>(
        `SELECT count(*)::int AS n, max(extract(epoch FROM now() - at) / 3600)::float8 AS oldest
         FROM app.event_log WHERE symbol = $1`,
        [symbol],
      );
      assert.equal(row?.n, 2);
      assert.ok((row?.oldest ?? 99) < 24);
    });
  });
}
