import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVendor, describeEachBackend, uniqueSlug } from '../test-helpers';

const bar = (symbol: string, bar_ts: string, close = 1.1) => ({
  symbol,
  timeframe: '5m',
  bar_ts,
  open: 1.1,
  high: Math.max(1.1, close) + 0.001,
  low: Math.min(1.1, close) - 0.001,
  close,
  volume: 10,
});

describeEachBackend('market data endpoints', (ctx) => {
  test('POST with one bad bar stores none and names each bad row by index and field', async () => {
    const symbol = uniqueSlug('S').toUpperCase();
    const good = [bar(symbol, '2026-01-05T10:00:00Z'), bar(symbol, '2026-01-05T10:15:00Z', 1.2)];
    const bars = [
      good[0],
      { ...bar(symbol, '2026-01-05T10:05:00Z'), high: 1.0 },
      { ...bar(symbol, '2026-01-05T10:10:00Z'), open: 0 },
      bar(symbol, '2026-01-05T10:12:00Z'),
      good[1],
      { ...bar(symbol, '2026-01-05T10:00:00Z'), close: 1.1005 },
    ];
    const res = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      res.json().details.map((d: { path: string }) => d.path),
      ['bars.1.high', 'bars.2.open', 'bars.3.bar_ts', 'bars.5.bar_ts'],
    );
    const count = async () =>
      (
        await ctx().database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM market.ohlcv WHERE symbol = $1', [
          symbol,
        ])
      )[0]?.n;
    assert.equal(await count(), 0, 'nothing of a refused upload is stored');
    const ok = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars: good } });
    assert.equal(ok.json().written, 2);
    const again = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars: [good[0]] } });
    assert.equal(again.json().written, 0, 'an identical re-upload changes nothing');
  });

  test('POST needs the service key: a vendor key is 403, nobody 401', async () => {
    const v = await createVendor(ctx());
    const payload = { bars: [bar('EURUSD', '2026-01-05T10:00:00Z')] };
    assert.equal(
      (await ctx().inject({ method: 'POST', url: '/api/marketdata/ohlcv', headers: v.auth, payload })).statusCode,
      403,
    );
    assert.equal((await ctx().inject({ method: 'POST', url: '/api/marketdata/ohlcv', payload })).statusCode, 401);
  });

  test('GET returns the seed shape, newest first, exact prices, bounded by limit and range', async () => {
    const symbol = uniqueSlug('G').toUpperCase();
    const times = ['2026-01-05T10:00:00Z', '2026-01-05T10:05:00Z', '2026-01-05T10:10:00Z'];
    await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv',
      payload: { bars: times.map((t, i) => bar(symbol, t, [1.10512, 1.10498, 1.10577][i])) },
    });
    const res = await ctx().asService({ method: 'GET', url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m&limit=2` });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.success, true);
    assert.deepEqual(
      body.data.map((b: { bar_ts: string; close: number }) => [b.bar_ts, b.close]),
      [
        ['2026-01-05T10:10:00.000Z', 1.10577],
        ['2026-01-05T10:05:00.000Z', 1.10498],
      ],
    );
    const ranged = await ctx().asService({
      method: 'GET',
      url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m&from=2026-01-05T10:00:00Z&to=2026-01-05T10:05:00Z`,
    });
    assert.equal(ranged.json().data.length, 2);
  });

  test('GET names each missing or bad parameter, and refuses limit=100000000', async () => {
    const missing = await ctx().asService({ method: 'GET', url: '/api/marketdata/ohlcv' });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(
      missing
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
      ['symbol', 'tf'],
    );
    const huge = await ctx().asService({
      method: 'GET',
      url: '/api/marketdata/ohlcv?symbol=EURUSD&tf=5m&limit=100000000',
    });
    assert.equal(huge.statusCode, 400);
    assert.match(huge.json().message, /1 to 5000/);
    const tf = await ctx().asService({ method: 'GET', url: '/api/marketdata/ohlcv?symbol=EURUSD&tf=2m' });
    assert.equal(tf.json().details[0].path, 'tf');
    const unknown = await ctx().asService({ method: 'GET', url: '/api/marketdata/ohlcv?symbol=EURUSD&tf=5m&foo=1' });
    assert.equal(unknown.json().details[0].path, 'foo');
  });

  test('GET refuses each malformed parameter with 400 naming it', async () => {
    const cases: [string, string][] = [
      ['symbol=EURUSD&tf=5m&limit=0', 'limit'],
      ['symbol=EURUSD&tf=5m&limit=abc', 'limit'],
      ['symbol=EURUSD&tf=5m&limit=1.5', 'limit'],
      ['symbol=EURUSD&tf=5m&limit=5001', 'limit'],
      ['symbol=eurusd&tf=5m', 'symbol'],
      ['symbol=EURUSD&symbol=GBPUSD&tf=5m', 'symbol'],
      ['symbol=EURUSD&tf=5m&from=2026-01-05T10:00:00', 'from'],
      ['symbol=EURUSD&tf=5m&to=tomorrow', 'to'],
      ['symbol=EURUSD&tf=5m&from=2026-01-05T10:05:00Z&to=2026-01-05T10:00:00Z', 'from'],
    ];
    for (const [query, path] of cases) {
      const res = await ctx().asService({ method: 'GET', url: `/api/marketdata/ohlcv?${query}` });
      assert.equal(res.statusCode, 400, query);
      const body = res.json();
      assert.equal(body.error, 'VALIDATION_ERROR', query);
      assert.deepEqual(
        body.details.map((d: { path: string }) => d.path),
        [path],
        query,
      );
      assert.match(body.message, new RegExp(`^query is invalid \\(${path}: `), query);
    }
  });

  test('GET defaults to the newest 100 bars and accepts limit=5000; from/to take any explicit offset', async () => {
    const symbol = uniqueSlug('D').toUpperCase();
    const start = Date.parse('2026-01-04T00:00:00Z');
    const bars = Array.from({ length: 105 }, (_, i) => bar(symbol, new Date(start + i * 300_000).toISOString()));
    const post = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } });
    assert.equal(post.json().written, 105);
    const res = await ctx().asService({ method: 'GET', url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m` });
    const data = res.json().data as { bar_ts: string }[];
    assert.equal(data.length, 100);
    assert.equal(data[0]?.bar_ts, new Date(start + 104 * 300_000).toISOString());
    assert.equal(data[99]?.bar_ts, new Date(start + 5 * 300_000).toISOString());
    const all = await ctx().asService({
      method: 'GET',
      url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m&limit=5000`,
    });
    assert.equal(all.json().data.length, 105);
    // 01:00+01:00 is 00:00Z: the first bar only.
    const offset = await ctx().asService({
      method: 'GET',
      url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m&to=${encodeURIComponent('2026-01-04T01:00:00+01:00')}`,
    });
    assert.deepEqual(
      offset.json().data.map((b: { bar_ts: string }) => b.bar_ts),
      ['2026-01-04T00:00:00.000Z'],
    );
  });

  test('POST names a low above open/close, a missing field and an unknown field by index, and stores none', async () => {
    const symbol = uniqueSlug('L').toUpperCase();
    const { close: _close, ...noClose } = bar(symbol, '2026-01-05T10:05:00Z');
    const bars = [
      bar(symbol, '2026-01-05T10:00:00Z'),
      { ...bar(symbol, '2026-01-05T10:10:00Z'), low: 1.2 },
      noClose,
      { ...bar(symbol, '2026-01-05T10:15:00Z'), vwap: 1.1 },
      { ...bar(symbol, '2026-01-05T10:20:00Z'), volume: -5 },
      'not a bar',
    ];
    const res = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      res.json().details.map((d: { path: string }) => d.path),
      ['bars.1.low', 'bars.2.close', 'bars.3.vwap', 'bars.4.volume', 'bars.5'],
    );
    const stored = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM market.ohlcv WHERE symbol = $1',
      [symbol],
    );
    assert.equal(stored[0]?.n, 0);
  });

  test('POST with no bars, or bars that is not a list, is 400 naming bars', async () => {
    for (const payload of [{ bars: [] }, { bars: {} }, {}, { bars: [bar('EURUSD', '2026-01-05T10:00:00Z')], x: 1 }]) {
      const res = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(res.json().details[0].path, /^(bars|x)$/, JSON.stringify(payload));
    }
  });

  test('GET without credentials reads the bars (public market data); writing them still needs the service key', async () => {
    const symbol = uniqueSlug('A').toUpperCase();
    await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv',
      payload: { bars: [bar(symbol, '2026-01-05T10:00:00Z', 1.10512)] },
    });
    const res = await ctx().inject({ method: 'GET', url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      res.json().data.map((b: { bar_ts: string; close: number }) => [b.bar_ts, b.close]),
      [['2026-01-05T10:00:00.000Z', 1.10512]],
    );
    const write = await ctx().inject({
      method: 'POST',
      url: '/api/marketdata/ohlcv',
      payload: { bars: [bar(symbol, '2026-01-05T10:05:00Z')] },
    });
    assert.equal(write.statusCode, 401);
    const after = await ctx().inject({ method: 'GET', url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m` });
    assert.equal(after.json().data.length, 1, 'the refused write stored nothing');
  });
});
