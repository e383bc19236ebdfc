import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVendor, describeEachBackend, uniqueSlug } from '../test-helpers';

// HistData ASCII: New York local time with DST. 2017-03-12 02:00 New York does not exist (spring forward).
const histdata = [
  '20170310 165800;1.06510;1.06520;1.06500;1.06515;0',
  '20170310 165900;1.06515;1.06530;1.06510;1.06525;0',
  '20170312 170000;1.06700;1.06710;1.06690;1.06705;0',
  '20170312 170100;1.06705;1.06600;1.06720;1.06710;0',
  '20170312 170200;1.06710;1.06730;1.06700;1.06720;0',
].join('\n');

describeEachBackend('POST /api/marketdata/import (CSV)', (ctx) => {
  test('streams a HistData file into market.ohlcv, converting New York time to UTC, and reports the bad row by line', async () => {
    const symbol = uniqueSlug('H').toUpperCase().replace(/-/g, '');
    const res = await ctx().asService({
      method: 'POST',
      url: `/api/marketdata/import?symbol=${symbol}&tf=1m&format=histdata&tz=America/New_York`,
      headers: { 'content-type': 'text/csv' },
      payload: histdata,
    });
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json().data;
    assert.equal(res.json().success, false);
    assert.equal(report.rowsRead, 5);
    assert.equal(report.stored, 4);
    assert.equal(report.rejected.count, 1);
    assert.deepEqual(
      Object.values(report.rejected.byReason).flatMap((l) => (l as { lines: number[] }).lines),
      [4],
    );
    assert.match(report.clock, /America\/New_York/);
    const rows = await ctx().database.db.query<{ bar_ts: string }>(
      'SELECT bar_ts FROM market.ohlcv WHERE symbol = $1 ORDER BY bar_ts',
      [symbol],
    );
    // Friday 16:58 EST = 21:58 UTC; Sunday 17:00 EDT (after the switch) = 21:00 UTC.
    assert.deepEqual(
      rows.map((r) => r.bar_ts),
      ['2017-03-10T21:58:00.000Z', '2017-03-10T21:59:00.000Z', '2017-03-12T21:00:00.000Z', '2017-03-12T21:02:00.000Z'],
    );
  });

  test('bad options are 400 naming the parameter; a vendor key is 403; JSON is 415', async () => {
    const noSymbol = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/import?tf=1m',
      headers: { 'content-type': 'text/csv' },
      payload: histdata,
    });
    assert.equal(noSymbol.statusCode, 400);
    assert.equal(noSymbol.json().details[0].path, 'symbol');
    const badTz = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/import?symbol=EURUSD&tf=1m&tz=Mars/Olympus',
      headers: { 'content-type': 'text/csv' },
      payload: histdata,
    });
    assert.equal(badTz.statusCode, 400);
    assert.equal(badTz.json().details[0].path, 'tz');
    const v = await createVendor(ctx());
    const vendor = await ctx().inject({
      method: 'POST',
      url: '/api/marketdata/import?symbol=EURUSD&tf=1m',
      headers: { ...v.auth, 'content-type': 'text/csv' },
      payload: histdata,
    });
    assert.equal(vendor.statusCode, 403);
    const json = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/import?symbol=EURUSD&tf=1m',
      payload: { bars: [] },
    });
    assert.equal(json.statusCode, 415);
  });

  test('a HistData file without tz is refused naming tz and the zone that fits; nothing is stored', async () => {
    const symbol = uniqueSlug('H').toUpperCase().replace(/-/g, '');
    const res = await ctx().asService({
      method: 'POST',
      url: `/api/marketdata/import?symbol=${symbol}&tf=1m`,
      headers: { 'content-type': 'text/csv' },
      payload: histdata,
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'VALIDATION_ERROR');
    assert.equal(res.json().details[0].path, 'tz');
    assert.match(res.json().message, /the clock looks wrong: .* pass --tz /);
    const rows = await ctx().database.db.query('SELECT 1 FROM market.ohlcv WHERE symbol = $1', [symbol]);
    assert.equal(rows.length, 0);
  });

  test('an unrecognisable file is 400 saying so, not a 500', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/import?symbol=EURUSD&tf=1m',
      headers: { 'content-type': 'text/csv' },
      payload: 'hello world\nthis is not market data\nat all\n',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'VALIDATION_ERROR');
  });
});

describeEachBackend(
  'POST /api/marketdata/import size cap',
  (ctx) => {
    test('a CSV over the cap is 413 PAYLOAD_TOO_LARGE', async () => {
      const big = Array.from({ length: 200 }, (_, i) => {
        const m = String(i % 60).padStart(2, '0');
        const h = String(10 + Math.floor(i / 60)).padStart(2, '0');
        return `20170310 ${h}${m}00;1.06510;1.06520;1.06500;1.06515;0`;
      }).join('\n');
      const res = await ctx().asService({
        method: 'POST',
        url: '/api/marketdata/import?symbol=EURUSD&tf=1m&format=histdata',
        headers: { 'content-type': 'text/csv' },
        payload: big,
      });
      assert.equal(res.statusCode, 413);
      assert.equal(res.json().error, 'PAYLOAD_TOO_LARGE');
    });
  },
  { importMaxBytes: 2048 },
);
