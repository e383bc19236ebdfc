import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVendor, describeEachBackend, registerModels, uniqueSlug } from '../test-helpers';

const row = (owner: string, symbol: string, decision = 'BUY') => ({
  owner,
  symbol,
  timeframe: '1m',
  bar_ts: '2026-01-05T12:00:00Z',
  decision,
  confidence: 0.6,
  contributors: [{ model_id: 'baseline-rsi-001', decision, confidence: 0.6, weight: 1 }],
  meta: {},
});

describeEachBackend('POST /api/consensus/batch', (ctx) => {
  const storedSymbols = async (owner: string) =>
    (
      await ctx().database.db.query<{ symbol: string }>(
        'SELECT symbol FROM ml.consensus_latest WHERE owner = $1 ORDER BY symbol',
        [owner],
      )
    ).map((r) => r.symbol);

  test('a bad or duplicate row refuses the whole batch, naming each by index; a good batch is stored', async () => {
    const owner = await registerModels(ctx(), uniqueSlug('own'));
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/consensus/batch',
      payload: {
        consensus: [
          row(owner, 'EURUSD'),
          { ...row(owner, 'GBPUSD'), contributors: [] },
          row(owner, 'USDJPY'),
          row(owner, 'EURUSD', 'SELL'),
        ],
      },
    });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.deepEqual(
      body.details.map((d: { path: string }) => d.path),
      ['consensus.1.contributors', 'consensus.3'],
    );
    assert.match(body.details[1].message, /same series and bar as consensus.0/);
    assert.deepEqual(await storedSymbols(owner), [], 'nothing of a refused batch is stored');
    const good = [row(owner, 'EURUSD'), row(owner, 'USDJPY')];
    const ok = await ctx().asService({ method: 'POST', url: '/api/consensus/batch', payload: { consensus: good } });
    assert.deepEqual(
      ok.json().results.map((r: { status: string }) => r.status),
      ['stored', 'stored'],
    );
    assert.deepEqual(await storedSymbols(owner), ['EURUSD', 'USDJPY']);
    const again = await ctx().asService({
      method: 'POST',
      url: '/api/consensus/batch',
      payload: { consensus: [row(owner, 'EURUSD')] },
    });
    assert.deepEqual(again.json().results[0].status, 'unchanged');
  });

  test("a vendor key's row for another owner refuses the batch (403, naming it); more than 1,000 rows is 400", async () => {
    const v = await createVendor(ctx());
    await registerModels(ctx(), v.owner);
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/consensus/batch',
      headers: v.auth,
      payload: { consensus: [row(v.owner, 'EURUSD'), row('someone-else', 'EURUSD')] },
    });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(
      res.json().details.map((d: { path: string }) => d.path),
      ['consensus.1'],
    );
    assert.deepEqual(await storedSymbols(v.owner), []);
    const big = await ctx().asService({
      method: 'POST',
      url: '/api/consensus/batch',
      payload: { consensus: Array.from({ length: 1001 }, () => row('x', 'EURUSD')) },
    });
    assert.equal(big.statusCode, 400);
  });
});

describeEachBackend('POST /api/marketdata/ohlcv/query', (ctx) => {
  test("returns each asked series' newest bars up to `to`, in the order asked, empty for unknown series", async () => {
    const a = uniqueSlug('A').toUpperCase();
    const b = uniqueSlug('B').toUpperCase();
    const bar = (symbol: string, minute: number) => ({
      symbol,
      timeframe: '1m',
      bar_ts: new Date(Date.UTC(2026, 0, 5, 11, minute)).toISOString(),
      open: 1,
      high: 1.1,
      low: 0.9,
      close: 1 + minute / 1000,
      volume: 1,
    });
    await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv',
      payload: { bars: [0, 1, 2, 3].flatMap((m) => [bar(a, m), bar(b, m)]) },
    });
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv/query',
      payload: {
        series: [
          { symbol: b, tf: '1m' },
          { symbol: a, tf: '1m' },
          { symbol: 'NOPE', tf: '1m' },
        ],
        limit: 2,
        to: '2026-01-05T11:02:00Z',
      },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res
        .json()
        .data.map((s: { symbol: string; bars: { bar_ts: string }[] }) => [
          s.symbol,
          s.bars.map((x) => x.bar_ts.slice(11, 16)),
        ]),
      [
        [b, ['11:02', '11:01']],
        [a, ['11:02', '11:01']],
        ['NOPE', []],
      ],
    );
  });

  test('names bad fields and needs credentials', async () => {
    const bad = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv/query',
      payload: { series: [{ symbol: 'eurusd', tf: '1m' }], limit: 0 },
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
      ['limit', 'series.0.symbol'],
    );
    const anon = await ctx().inject({
      method: 'POST',
      url: '/api/marketdata/ohlcv/query',
      payload: { series: [{ symbol: 'EURUSD', tf: '1m' }] },
    });
    assert.equal(anon.statusCode, 401);
  });
});
