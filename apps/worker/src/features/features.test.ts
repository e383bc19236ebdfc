import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorResponseSchema, FeaturesResponseSchema } from '@neuronetiq/contracts';
import { bollinger, macd, rsi, stochastic } from '@neuronetiq/indicators';
import { makeBars, type RunningWorker, startWorker } from '../testing/harness';

let worker: RunningWorker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const toJson = (values: Float64Array) => Array.from(values, (v) => (Number.isFinite(v) ? v : null));

test('POST /v1/features returns each asked-for indicator, defaults filled in, null during warm-up', async () => {
  const bars = makeBars(60);
  const close = bars.map((b) => b.close);
  const res = await worker.post('/v1/features', {
    symbol: 'EURUSD',
    timeframe: '1h',
    bars,
    indicators: [
      { name: 'rsi' },
      { name: 'rsi', params: { period: 5 } },
      { name: 'macd', params: { fast: 5, slow: 10, signal: 3 } },
      { name: 'bollinger' },
      { name: 'stochastic' },
    ],
  });
  assert.equal(res.status, 200);
  const body = FeaturesResponseSchema.parse(await res.json());
  assert.deepEqual(
    body.bar_ts,
    bars.map((b) => b.bar_ts),
  );
  const [rsi14, rsi5, macdResult, bands, stoch] = body.indicators;
  assert.deepEqual(rsi14, { name: 'rsi', params: { period: 14 }, series: { value: toJson(rsi(close, 14)) } });
  assert.equal(rsi14?.series.value?.[13], null);
  assert.equal(typeof rsi14?.series.value?.[14], 'number');
  assert.deepEqual(rsi5?.series.value, toJson(rsi(close, 5)));
  const m = macd(close, 5, 10, 3);
  assert.deepEqual(macdResult?.params, { fast: 5, slow: 10, signal: 3 });
  assert.deepEqual(macdResult?.series, {
    macd: toJson(m.macd),
    signal: toJson(m.signal),
    histogram: toJson(m.histogram),
  });
  const b = bollinger(close, 20, 2);
  assert.deepEqual(bands?.params, { period: 20, stddev: 2 });
  assert.deepEqual(bands?.series, { upper: toJson(b.upper), middle: toJson(b.middle), lower: toJson(b.lower) });
  const s = stochastic(
    bars.map((x) => x.high),
    bars.map((x) => x.low),
    close,
    14,
    3,
    3,
  );
  assert.deepEqual(stoch?.series, { k: toJson(s.k), d: toJson(s.d) });
});

test('POST /v1/features computes every indicator the contracts name', async () => {
  const names = [
    'sma',
    'ema',
    'wma',
    'rsi',
    'macd',
    'bollinger',
    'atr',
    'stochastic',
    'adx',
    'obv',
    'vwap',
    'roc',
    'cci',
    'williamsR',
  ];
  const res = await worker.post('/v1/features', {
    symbol: 'EURUSD',
    timeframe: '1h',
    bars: makeBars(80),
    indicators: names.map((name) => ({ name })),
  });
  assert.equal(res.status, 200);
  const body = FeaturesResponseSchema.parse(await res.json());
  assert.deepEqual(
    body.indicators.map((i) => i.name),
    names,
  );
  for (const indicator of body.indicators) {
    for (const values of Object.values(indicator.series)) {
      assert.equal(values.length, 80);
      assert.equal(typeof values.at(-1), 'number', `${indicator.name} is defined on the last of 80 bars`);
    }
  }
});

test('POST /v1/features rejects unknown indicators and bad parameters with their path', async () => {
  const cases: [unknown, string][] = [
    [[{ name: 'ichimoku' }], 'indicators.0.name'],
    [[{ name: 'rsi', params: { period: 0 } }], 'indicators.0.params.period'],
    [[{ name: 'sma' }, { name: 'ema', params: { period: 2.5 } }], 'indicators.1.params.period'],
    [[{ name: 'macd', params: { fast: 30, slow: 10 } }], 'indicators.0.params.fast'],
    [[{ name: 'rsi', params: { length: 14 } }], 'indicators.0.params.length'],
    [[], 'indicators'],
  ];
  for (const [indicators, path] of cases) {
    const res = await worker.post('/v1/features', {
      symbol: 'EURUSD',
      timeframe: '1h',
      bars: makeBars(30),
      indicators,
    });
    assert.equal(res.status, 400);
    const body = ErrorResponseSchema.parse(await res.json());
    assert.ok(
      body.details?.some((d) => d.path === path),
      `${JSON.stringify(indicators)}: ${JSON.stringify(body.details)}`,
    );
  }
});

test('OBV and VWAP need volume on every bar: 400 naming the first bar without one', async () => {
  const bars = makeBars(30);
  bars[4] = { ...(bars[4] as (typeof bars)[number]), volume: null };
  const res = await worker.post('/v1/features', {
    symbol: 'EURUSD',
    timeframe: '1h',
    bars,
    indicators: [{ name: 'obv' }],
  });
  assert.equal(res.status, 400);
  const body = ErrorResponseSchema.parse(await res.json());
  assert.deepEqual(body.details, [{ path: 'bars.4.volume', message: 'is required by obv' }]);
  const rsiOnly = await worker.post('/v1/features', {
    symbol: 'EURUSD',
    timeframe: '1h',
    bars,
    indicators: [{ name: 'rsi' }],
  });
  assert.equal(rsiOnly.status, 200);
});
