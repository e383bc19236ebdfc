// Track records: signals are scored by the database when their bar is stored after its close (a trigger on
// market.ohlcv), and GET /api/performance reads them under RLS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { type ApiTestContext, createVendor, describeEachBackend, signal, uniqueSlug } from '../test-helpers';

const uniqueSymbol = () => `P${randomBytes(4).toString('hex').toUpperCase()}`;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
// The test api's clock is 2026-01-05T12:00:30Z: the 12:00 bar is open, so signals for it are on time.
const T = Date.parse('2026-01-05T12:00:00Z');

async function storeSignals(ctx: ApiTestContext, signals: ReturnType<typeof signal>[]) {
  const res = await ctx.asService({ method: 'POST', url: '/api/signals/batch', payload: { signals } });
  assert.equal(res.statusCode, 200, res.body);
  for (const r of res.json().results) assert.equal(r.status, 'stored', JSON.stringify(r));
}

async function storeBars(ctx: ApiTestContext, bars: { symbol: string; bar_ts: string; open: number; close: number }[]) {
  const res = await ctx.asService({
    method: 'POST',
    url: '/api/marketdata/ohlcv',
    payload: {
      bars: bars.map((b) => ({
        symbol: b.symbol,
        timeframe: '1m',
        bar_ts: b.bar_ts,
        open: b.open,
        high: Math.max(b.open, b.close),
        low: Math.min(b.open, b.close),
        close: b.close,
        volume: 1,
      })),
    },
  });
  assert.equal(res.statusCode, 200, res.body);
}

async function performance(ctx: ApiTestContext, query: string, headers: Record<string, string> = {}) {
  return ctx.inject({ method: 'GET', url: `/api/performance?${query}`, headers });
}

describeEachBackend('GET /api/performance and signal scoring', (ctx) => {
  test('a bar stored after its close scores the signals waiting on it: a hit, a miss, a NEUTRAL and a flat bar', async () => {
    const v = await createVendor(ctx());
    const [up, down, flat] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
    const at = iso(T);
    const base = { owner: v.owner, model_id: v.modelId, bar_ts: at };
    await storeSignals(ctx(), [
      signal({ ...base, symbol: up, decision: 'BUY', confidence: 0.9 }),
      signal({ ...base, symbol: down, decision: 'BUY', confidence: 0.6 }),
      signal({ ...base, symbol: flat, decision: 'SELL', confidence: 0.7 }),
    ]);
    const neutral = uniqueSymbol();
    await storeSignals(ctx(), [signal({ ...base, symbol: neutral, decision: 'NEUTRAL', confidence: 0.5 })]);
    // Nothing is scored before the bars exist.
    const before = await performance(ctx(), `owner=${v.owner}`, v.auth);
    assert.deepEqual(before.json().data, []);

    await storeBars(ctx(), [
      { symbol: up, bar_ts: at, open: 100, close: 102 },
      { symbol: down, bar_ts: at, open: 100, close: 99 },
      { symbol: flat, bar_ts: at, open: 100, close: 100 },
      { symbol: neutral, bar_ts: at, open: 100, close: 105 },
    ]);
    const rows = await ctx().database.db.query<Record<string, unknown>>(
      `SELECT symbol, decision, return::float8 AS return, hit FROM ml.signal_outcomes WHERE owner = $1 ORDER BY symbol`,
      [v.owner],
    );
    const expected = [
      { symbol: up, decision: 'BUY', return: 0.02, hit: true },
      { symbol: down, decision: 'BUY', return: -0.01, hit: false },
      { symbol: flat, decision: 'SELL', return: 0, hit: null },
      { symbol: neutral, decision: 'NEUTRAL', return: 0, hit: null },
    ].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    assert.deepEqual(rows, expected);

    const res = await performance(ctx(), `owner=${v.owner}&symbol=${up}`, v.auth);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().data, [
      {
        owner: v.owner,
        model_id: v.modelId,
        symbol: up,
        timeframe: '1m',
        scored: 1,
        resolved: 1,
        hits: 1,
        hit_rate: 1,
        avg_return: 0.02,
        first_bar_ts: at,
        last_bar_ts: at,
      },
    ]);
    const all = await performance(ctx(), `owner=${v.owner}`, v.auth);
    const bySymbol = new Map(all.json().data.map((r: { symbol: string }) => [r.symbol, r]));
    assert.equal(bySymbol.size, 4);
    assert.deepEqual(
      [down, flat, neutral].map((s) => {
        const r = bySymbol.get(s) as { scored: number; resolved: number; hits: number; hit_rate: number | null };
        return [r.scored, r.resolved, r.hits, r.hit_rate];
      }),
      [
        [1, 1, 0, 0],
        [1, 0, 0, null],
        [1, 0, 0, null],
      ],
    );
  });

  test('a late signal is never scored, an open bar scores nothing, and a corrected bar re-scores', async () => {
    const v = await createVendor(ctx());
    const symbol = uniqueSymbol();
    // 11:58 closed before the api's 12:00:30: the signal is late.
    await storeSignals(ctx(), [
      signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T - 2 * MIN), decision: 'BUY' }),
      signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T), decision: 'BUY' }),
    ]);
    await storeBars(ctx(), [{ symbol, bar_ts: iso(T - 2 * MIN), open: 10, close: 11 }]);
    const outcomes = () =>
      ctx().database.db.query<{ bar_ts: string; hit: boolean | null }>(
        'SELECT bar_ts, hit FROM ml.signal_outcomes WHERE owner = $1 ORDER BY bar_ts',
        [v.owner],
      );
    assert.deepEqual(await outcomes(), [], 'the late signal is not scored');

    // A bar that has not closed by the database's clock is not used: move this one's signal into the future.
    const future = Date.now() + 10 * 24 * 60 * MIN;
    const futureTs = iso(future - (future % MIN));
    await ctx().database.db.query(
      `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence)
       VALUES ($1, $2, $3, '1m', $4, 'SELL', 0.5)`,
      [v.owner, v.modelId, symbol, futureTs],
    );
    await storeBars(ctx(), [{ symbol, bar_ts: futureTs, open: 10, close: 9 }]);
    assert.deepEqual(await outcomes(), [], 'a bar still open scores nothing');

    await storeBars(ctx(), [{ symbol, bar_ts: iso(T), open: 10, close: 11 }]);
    assert.deepEqual(await outcomes(), [{ bar_ts: iso(T), hit: true }]);
    // The data vendor corrects the bar: it fell. The outcome follows.
    await storeBars(ctx(), [{ symbol, bar_ts: iso(T), open: 10, close: 9.5 }]);
    assert.deepEqual(await outcomes(), [{ bar_ts: iso(T), hit: false }]);
  });

  test('window takes the newest scored signals of each series', async () => {
    const v = await createVendor(ctx());
    const symbol = uniqueSymbol();
    // Five on-time signals, 11:56 … 12:00 (the api's clock moves with them), BUY on each.
    const bars: { symbol: string; bar_ts: string; open: number; close: number }[] = [];
    for (let i = 4; i >= 0; i--) {
      ctx().clock.now = T - i * MIN + 30_000;
      await storeSignals(ctx(), [signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T - i * MIN) })]);
      // Up, up, up, then down, down: the two newest are misses.
      bars.push({ symbol, bar_ts: iso(T - i * MIN), open: 10, close: i >= 2 ? 11 : 9 });
    }
    ctx().clock.now = T + 30_000;
    await storeBars(ctx(), bars);
    const all = (await performance(ctx(), `owner=${v.owner}`, v.auth)).json().data;
    assert.deepEqual(
      all.map((r: { scored: number; hits: number; first_bar_ts: string }) => [r.scored, r.hits, r.first_bar_ts]),
      [[5, 3, iso(T - 4 * MIN)]],
    );
    const newest = (await performance(ctx(), `owner=${v.owner}&window=2`, v.auth)).json().data;
    assert.deepEqual(
      newest.map((r: { scored: number; hits: number; hit_rate: number; first_bar_ts: string }) => [
        r.scored,
        r.hits,
        r.hit_rate,
        r.first_bar_ts,
      ]),
      [[2, 0, 0, iso(T - MIN)]],
    );
  });

  test("anyone sees public models' track records; a private model's only its owner and the service", async () => {
    const pub = await createVendor(ctx());
    const priv = await createVendor(ctx());
    const hidden = uniqueSlug('hidden');
    const reg = await ctx().asService({
      method: 'POST',
      url: '/api/models',
      payload: { owner: priv.owner, model_id: hidden, name: 'Private model', visibility: 'private' },
    });
    assert.equal(reg.statusCode, 201);
    const symbol = uniqueSymbol();
    await storeSignals(ctx(), [
      signal({ owner: pub.owner, model_id: pub.modelId, symbol }),
      signal({ owner: priv.owner, model_id: hidden, symbol }),
    ]);
    await storeBars(ctx(), [{ symbol, bar_ts: iso(T), open: 1, close: 2 }]);
    const models = async (headers: Record<string, string>) =>
      ((await performance(ctx(), `symbol=${symbol}`, headers)).json().data as { model_id: string }[])
        .map((r) => r.model_id)
        .sort();
    assert.deepEqual(await models({}), [pub.modelId], 'anonymous: public only');
    assert.deepEqual(await models(pub.auth), [pub.modelId], 'another vendor: public only');
    assert.deepEqual(await models(priv.auth), [hidden, pub.modelId].sort(), 'the owner sees their private model');
    const service = await ctx().asService({ method: 'GET', url: `/api/performance?symbol=${symbol}` });
    assert.equal(service.json().data.length, 2);
  });

  test('a bad window or timeframe is 400 naming the field', async () => {
    for (const [query, path] of [
      ['window=0', 'window'],
      ['window=5001', 'window'],
      ['tf=2m', 'tf'],
      ['symbol=eurusd', 'symbol'],
    ] as const) {
      const res = await performance(ctx(), query);
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().error, 'VALIDATION_ERROR');
      assert.ok(
        res.json().details.some((d: { path: string }) => d.path.endsWith(path)),
        `${query}: ${JSON.stringify(res.json().details)}`,
      );
    }
  });
});
