// Track records: the database scores each signal forward from its last change (entry at the close of the first bar
// closing after it, exits 1, 5 and 20 bars later; a trigger on market.ohlcv), and GET /api/performance reads them
// under RLS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { type ApiTestContext, atTime, createVendor, describeEachBackend, signal, uniqueSlug } from '../test-helpers';

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
  // Written from just after the last bar's close: a bar ahead of the api's clock is refused.
  const after = Math.max(ctx.clock.now, ...bars.map((b) => Date.parse(b.bar_ts) + 60_000));
  const res = await atTime(ctx, after, () =>
    ctx.asService({
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
    }),
  );
  assert.equal(res.statusCode, 200, res.body);
}

async function performance(ctx: ApiTestContext, query: string, headers: Record<string, string> = {}) {
  return ctx.inject({ method: 'GET', url: `/api/performance?${query}`, headers });
}

const scoreRows = (ctx: ApiTestContext, owner: string, horizon = 1) =>
  ctx.database.db.query<Record<string, unknown>>(
    `SELECT symbol, decision, received_at, entry_bar_ts, entry_close::float8 AS entry, exit_close::float8 AS exit,
            position_return, hit
     FROM ml.signal_scores WHERE owner = $1 AND horizon_bars = $2 ORDER BY symbol, bar_ts`,
    [owner, horizon],
  );

describeEachBackend('GET /api/performance and forward signal scoring', (ctx) => {
  test('the rewrite attack gains nothing: SELL at T+3 s rewritten to BUY at T+55 s, then the bar closes up', async () => {
    const v = await createVendor(ctx());
    const symbol = uniqueSymbol();
    const base = { owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T) };
    ctx().clock.now = T + 3_000;
    await storeSignals(ctx(), [signal({ ...base, decision: 'SELL', confidence: 0.9 })]);
    ctx().clock.now = T + 55_000;
    await storeSignals(ctx(), [signal({ ...base, decision: 'BUY', confidence: 0.9 })]);
    // An identical retry is no change: received_at stays at the rewrite's T+55 s.
    ctx().clock.now = T + 58_000;
    const retry = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ ...base, decision: 'BUY', confidence: 0.9 }),
    });
    assert.equal(retry.statusCode, 204, retry.body);
    // After the bar's close the change is refused, as before.
    ctx().clock.now = T + MIN + 1_000;
    const late = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ ...base, decision: 'SELL', confidence: 0.9 }),
    });
    assert.equal(late.statusCode, 409, late.body);
    assert.equal(late.json().error, 'SIGNAL_IMMUTABLE');
    ctx().clock.now = T + 30_000;
    // Bar T rises 2% (what the attacker saw coming at T+55 s); then the price goes nowhere.
    await storeBars(ctx(), [
      { symbol, bar_ts: iso(T), open: 100, close: 102 },
      ...Array.from({ length: 20 }, (_, i) => ({ symbol, bar_ts: iso(T + (i + 1) * MIN), open: 102, close: 102 })),
    ]);
    for (const horizon of [1, 5, 20]) {
      assert.deepEqual(
        await scoreRows(ctx(), v.owner, horizon),
        [
          {
            symbol,
            decision: 'BUY',
            received_at: iso(T + 55_000),
            entry_bar_ts: iso(T),
            entry: 102,
            exit: 102,
            position_return: 0,
            hit: null,
          },
        ],
        `horizon ${horizon}: entered at bar T's close, after the move it saw`,
      );
    }
    const res = await performance(ctx(), `owner=${v.owner}&symbol=${symbol}`, v.auth);
    const [record] = res.json().data;
    assert.deepEqual([record.scored, record.resolved, record.hits, record.avg_return], [1, 0, 0, 0]);
  });

  test('each horizon scores hit, miss, NEUTRAL and a flat move on the price after the entry', async () => {
    const v = await createVendor(ctx());
    const [up, down, flat, neutral] = [uniqueSymbol(), uniqueSymbol(), uniqueSymbol(), uniqueSymbol()];
    const base = { owner: v.owner, model_id: v.modelId, bar_ts: iso(T) };
    // Received at the clock's 12:00:30: entered at the 12:00 bar's close (100), exits at 12:01 (1 bar).
    await storeSignals(ctx(), [
      signal({ ...base, symbol: up, decision: 'BUY', confidence: 0.9 }),
      signal({ ...base, symbol: down, decision: 'BUY', confidence: 0.6 }),
      signal({ ...base, symbol: flat, decision: 'SELL', confidence: 0.7 }),
      signal({ ...base, symbol: neutral, decision: 'NEUTRAL', confidence: 0.5 }),
    ]);
    assert.deepEqual((await performance(ctx(), `owner=${v.owner}`, v.auth)).json().data, [], 'no bars, no scores');
    const bars = (symbol: string, next: number) => [
      // The signal's own bar moves wildly: it is before the entry and never counts.
      { symbol, bar_ts: iso(T), open: 50, close: 100 },
      { symbol, bar_ts: iso(T + MIN), open: 100, close: next },
    ];
    await storeBars(ctx(), [...bars(up, 102), ...bars(down, 99), ...bars(flat, 100), ...bars(neutral, 105)]);
    const expected = [
      { symbol: up, decision: 'BUY', position_return: 0.02, hit: true },
      { symbol: down, decision: 'BUY', position_return: -0.01, hit: false },
      { symbol: flat, decision: 'SELL', position_return: 0, hit: null },
      { symbol: neutral, decision: 'NEUTRAL', position_return: 0, hit: null },
    ].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    assert.deepEqual(
      (await scoreRows(ctx(), v.owner)).map(({ symbol, decision, position_return, hit }) => ({
        symbol,
        decision,
        position_return,
        hit,
      })),
      expected,
    );

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
        first_bar_ts: iso(T),
        last_bar_ts: iso(T),
        horizon_bars: 1,
        avg_weighted_return: 0.9 * 0.02,
        brier: (0.9 - 1) ** 2,
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
    const pending = await performance(ctx(), `owner=${v.owner}&horizon=5`, v.auth);
    assert.deepEqual(pending.json().data, [], 'the 5-bar exits are not stored yet');
  });

  test('a late signal is never scored, an open bar scores nothing, and a corrected bar re-scores', async () => {
    const v = await createVendor(ctx());
    const symbol = uniqueSymbol();
    // 11:58 closed before the api's 12:00:30: the signal is late.
    await storeSignals(ctx(), [
      signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T - 2 * MIN), decision: 'BUY' }),
      signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T), decision: 'BUY' }),
    ]);
    await storeBars(ctx(), [
      { symbol, bar_ts: iso(T - 2 * MIN), open: 10, close: 10 },
      { symbol, bar_ts: iso(T - MIN), open: 10, close: 11 },
    ]);
    const outcomes = () =>
      ctx().database.db.query<{ bar_ts: string; hit: boolean | null }>(
        'SELECT bar_ts, hit FROM ml.signal_scores WHERE owner = $1 AND horizon_bars = 1 AND exit_bar_ts IS NOT NULL',
        [v.owner],
      );
    assert.deepEqual(await outcomes(), [], 'the late signal is not scored');

    // A bar that has not closed by the database's clock is not used: move this one's signal into the future.
    const future = Date.now() + 10 * 24 * 60 * MIN;
    const futureTs = iso(future - (future % MIN));
    await ctx().database.db.query(
      `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
       VALUES ($1, $2, $3, '1m', $4, 'SELL', 0.5, $4)`,
      [v.owner, v.modelId, symbol, futureTs],
    );
    await storeBars(ctx(), [
      { symbol, bar_ts: futureTs, open: 10, close: 9 },
      { symbol, bar_ts: iso(Date.parse(futureTs) + MIN), open: 9, close: 8 },
    ]);
    const [futureRows] = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ml.signal_scores WHERE owner = $1 AND bar_ts = $2',
      [v.owner, futureTs],
    );
    assert.equal(futureRows?.n, 0, 'a bar still open scores nothing');

    await storeBars(ctx(), [
      { symbol, bar_ts: iso(T), open: 10, close: 10 },
      { symbol, bar_ts: iso(T + MIN), open: 10, close: 11 },
    ]);
    assert.deepEqual(await outcomes(), [{ bar_ts: iso(T), hit: true }]);
    // The data vendor corrects the exit bar: it fell. The outcome follows.
    await storeBars(ctx(), [{ symbol, bar_ts: iso(T + MIN), open: 10, close: 9.5 }]);
    assert.deepEqual(await outcomes(), [{ bar_ts: iso(T), hit: false }]);
  });

  test('window takes the newest scored signals of each series', async () => {
    const v = await createVendor(ctx());
    const symbol = uniqueSymbol();
    // Five on-time signals, 11:56 … 12:00 (the api's clock moves with them), BUY on each, each entered at its own
    // bar's close and exited a bar later.
    for (let i = 4; i >= 0; i--) {
      ctx().clock.now = T - i * MIN + 30_000;
      await storeSignals(ctx(), [signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T - i * MIN) })]);
    }
    ctx().clock.now = T + 30_000;
    // Closes 10, 11, 12, 13, 12, 11: up, up, up, then down, down: the two newest calls are misses.
    const closes = [10, 11, 12, 13, 12, 11];
    await storeBars(
      ctx(),
      closes.map((close, k) => ({ symbol, bar_ts: iso(T + (k - 4) * MIN), open: close, close })),
    );
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
    await storeBars(ctx(), [
      { symbol, bar_ts: iso(T), open: 1, close: 2 },
      { symbol, bar_ts: iso(T + MIN), open: 2, close: 3 },
    ]);
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

  test('a bad window, horizon or timeframe, a NUL or a lone surrogate is 400 naming the field', async () => {
    for (const [query, path] of [
      ['window=0', 'window'],
      ['window=5001', 'window'],
      ['tf=2m', 'tf'],
      ['symbol=eurusd', 'symbol'],
      ['horizon=0', 'horizon'],
      ['horizon=501', 'horizon'],
      ['horizon=1.5', 'horizon'],
      ['symbol=EUR%00USD', 'symbol'],
      ['model_id=m%ED%A0%80', 'model_id'],
      ['owner=%EF%BF%BD', 'owner'],
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
