import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ErrorResponseSchema,
  PredictBatchResponseSchema,
  type PredictionResult,
  PredictResponseSchema,
} from '@neuronetiq/contracts';
import { BUILTIN_MODELS, isInsufficientBars } from '@neuronetiq/models';
import { makeBars, type RunningWorker, startWorker } from '../testing/harness';

let worker: RunningWorker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

async function errorOf(res: Response, status: number) {
  assert.equal(res.status, status);
  return ErrorResponseSchema.parse(await res.json());
}

test('POST /v1/predict answers one prediction per registered model, for the last bar', async () => {
  const bars = makeBars(300);
  const res = await worker.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars });
  assert.equal(res.status, 200);
  const body = PredictResponseSchema.parse(await res.json());
  assert.equal(body.symbol, 'EURUSD');
  assert.equal(body.bar_ts, bars.at(-1)?.bar_ts);
  assert.deepEqual(
    body.predictions.map((p) => p.model_id),
    BUILTIN_MODELS.map((m) => m.id),
  );
  // The worker adds nothing of its own: each answer is the model's, on the same bars.
  const modelBars = bars.map((b) => ({ ...b, volume: b.volume ?? null }));
  for (const [i, model] of BUILTIN_MODELS.entries()) {
    const outcome = model.predict(modelBars);
    assert.ok(!isInsufficientBars(outcome));
    assert.deepEqual(body.predictions[i], { model_id: model.id, ...outcome });
  }
});

test('bars in any legal form get the same answers: other offsets, key order, whitespace, volume left out', async () => {
  const bars = makeBars(220, 4);
  const canonical = PredictResponseSchema.parse(
    await (await worker.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars })).json(),
  );
  // +01:00 wall clock: valid for the contracts, off every fast path, so the zod schema parses it.
  const shifted = bars.map((b) => ({
    ...b,
    bar_ts: `${new Date(Date.parse(b.bar_ts) + 3_600_000).toISOString().slice(0, 19)}+01:00`,
  }));
  const reordered = bars.map(({ close, bar_ts, volume: _volume, ...rest }) => ({ close, ...rest, bar_ts }));
  for (const variant of [shifted, reordered]) {
    const text = JSON.stringify({ timeframe: '1h', bars: variant, symbol: 'EURUSD' }, null, 2);
    const body = PredictResponseSchema.parse(await (await worker.post('/v1/predict', text)).json());
    assert.equal(body.bar_ts, canonical.bar_ts);
    // Volume is no model's input, so leaving it out changes nothing.
    assert.deepEqual(body.predictions, canonical.predictions);
  }
});

test('POST /v1/predict runs only the models asked for, in the order asked', async () => {
  const res = await worker.post('/v1/predict', {
    symbol: 'EURUSD',
    timeframe: '1h',
    bars: makeBars(60),
    models: ['ema-trend-001', 'baseline-rsi-001'],
  });
  const body = PredictResponseSchema.parse(await res.json());
  assert.deepEqual(
    body.predictions.map((p) => p.model_id),
    ['ema-trend-001', 'baseline-rsi-001'],
  );
});

test('too few bars for a model gives that model an INSUFFICIENT_BARS entry, the others still answer', async () => {
  const res = await worker.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(40) });
  assert.equal(res.status, 200);
  const body = PredictResponseSchema.parse(await res.json());
  const byId = new Map<string, PredictionResult>(body.predictions.map((p) => [p.model_id, p]));
  assert.deepEqual(byId.get('logreg-001'), {
    model_id: 'logreg-001',
    error: 'INSUFFICIENT_BARS',
    message: 'Model "logreg-001" needs at least 200 bars; the series has 40',
    required_bars: 200,
    received_bars: 40,
  });
  assert.ok(byId.get('ema-trend-001') && 'error' in (byId.get('ema-trend-001') as object));
  assert.ok(byId.get('baseline-rsi-001') && 'decision' in (byId.get('baseline-rsi-001') as object));
});

test('an unknown model id is 400 naming the path and the registered models', async () => {
  const res = await worker.post('/v1/predict', {
    symbol: 'EURUSD',
    timeframe: '1h',
    bars: makeBars(20),
    models: ['baseline-rsi-001', 'gpt-trader'],
  });
  const body = await errorOf(res, 400);
  assert.equal(body.error, 'VALIDATION_ERROR');
  assert.equal(body.details?.[0]?.path, 'models.1');
  assert.match(body.details?.[0]?.message ?? '', /unknown model "gpt-trader"; registered: baseline-rsi-001/);
});

test('bad bars are 400 with each offending field named', async () => {
  const cases: { mutate: (bars: Record<string, unknown>[]) => void; path: string; message: RegExp }[] = [
    {
      mutate: (b) => void Object.assign(b[5] as object, { high: 0.5 }),
      path: 'bars.5.high',
      message: /high must be >= open/,
    },
    {
      mutate: (b) => void Object.assign(b[6] as object, { low: 9 }),
      path: 'bars.6.low',
      message: /low must be <= open/,
    },
    { mutate: (b) => void Object.assign(b[1] as object, { open: -1 }), path: 'bars.1.open', message: /greater than 0/ },
    { mutate: (b) => void Object.assign(b[2] as object, { close: '1.1' }), path: 'bars.2.close', message: /number/ },
    { mutate: (b) => void delete (b[3] as { close?: number }).close, path: 'bars.3.close', message: /required/ },
    { mutate: (b) => void Object.assign(b[4] as object, { vol: 3 }), path: 'bars.4.vol', message: /unknown field/ },
    {
      mutate: (b) => void Object.assign(b[7] as object, { bar_ts: '2025-01-06 07:00' }),
      path: 'bars.7.bar_ts',
      message: /explicit offset/,
    },
    {
      mutate: (b) => void Object.assign(b[8] as object, { bar_ts: '2025-01-06T08:30:00Z' }),
      path: 'bars.8.bar_ts',
      message: /1h boundary/,
    },
    {
      mutate: (b) => void Object.assign(b[9] as object, { bar_ts: (b[8] as { bar_ts: string }).bar_ts }),
      path: 'bars.9.bar_ts',
      message: /repeats the previous bar/,
    },
    {
      mutate: (b) => void Object.assign(b[9] as object, { bar_ts: (b[2] as { bar_ts: string }).bar_ts }),
      path: 'bars.9.bar_ts',
      message: /ascending/,
    },
  ];
  for (const c of cases) {
    const bars = makeBars(20) as unknown as Record<string, unknown>[];
    c.mutate(bars);
    const body = await errorOf(await worker.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars }), 400);
    assert.equal(body.error, 'VALIDATION_ERROR');
    const detail = body.details?.find((d) => d.path === c.path);
    assert.ok(detail, `expected a detail at ${c.path}, got ${JSON.stringify(body.details)}`);
    assert.match(detail.message, c.message);
  }
});

test('a bad series is 400: symbol, timeframe, empty bars, unknown top-level key', async () => {
  const bars = makeBars(3);
  const cases: [unknown, string][] = [
    [{ symbol: 'eurusd', timeframe: '1h', bars }, 'symbol'],
    [{ symbol: 'EURUSD', timeframe: '2h', bars }, 'timeframe'],
    [{ symbol: 'EURUSD', timeframe: '1h', bars: [] }, 'bars'],
    [{ symbol: 'EURUSD', timeframe: '1h', bars, extra: 1 }, 'extra'],
    [{ timeframe: '1h', bars }, 'symbol'],
    [[1, 2], ''],
  ];
  for (const [request, path] of cases) {
    const body = await errorOf(await worker.post('/v1/predict', request), 400);
    assert.ok(
      body.details?.some((d) => d.path === path),
      `${JSON.stringify(request).slice(0, 60)}: ${JSON.stringify(body.details)}`,
    );
  }
});

test('POST /v1/predict/batch answers every series in order; a bad bar deep in it is named series.3.bars.17.high', async () => {
  const series = Array.from({ length: 5 }, (_, i) => ({
    symbol: i % 2 ? 'BTCUSDT' : 'EURUSD',
    timeframe: '5m' as const,
    bars: makeBars(40 + i * 50, i + 1, Date.UTC(2025, 0, 6), 300_000),
  }));
  const res = await worker.post('/v1/predict/batch', { series });
  assert.equal(res.status, 200);
  const body = PredictBatchResponseSchema.parse(await res.json());
  assert.equal(body.results.length, 5);
  body.results.forEach((r, i) => {
    assert.equal(r.symbol, series[i]?.symbol);
    assert.equal(r.bar_ts, series[i]?.bars.at(-1)?.bar_ts);
    assert.equal(r.predictions.length, BUILTIN_MODELS.length);
  });
  // The same series alone gives the same answer as inside the batch.
  const single = PredictResponseSchema.parse(await (await worker.post('/v1/predict', series[4])).json());
  assert.deepEqual(single.predictions, body.results[4]?.predictions);

  const bad = structuredClone(series);
  (bad[3]?.bars[17] as { high: number }).high = 0.1;
  const error = await errorOf(await worker.post('/v1/predict/batch', { series: bad }), 400);
  assert.deepEqual(error.details?.[0], { path: 'series.3.bars.17.high', message: 'high must be >= open and >= close' });
  assert.match(error.message, /series\.3\.bars\.17\.high/);
});

test('batch errors: empty series list, unknown model in one series', async () => {
  const empty = await errorOf(await worker.post('/v1/predict/batch', { series: [] }), 400);
  assert.equal(empty.details?.[0]?.path, 'series');
  const unknown = await errorOf(
    await worker.post('/v1/predict/batch', {
      series: [
        { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(20) },
        { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(20), models: ['nope'] },
      ],
    }),
    400,
  );
  assert.equal(unknown.details?.[0]?.path, 'series.1.models.0');
});

test('a body that is not JSON is 400, a body that is not application/json is 415', async () => {
  const broken = await errorOf(await worker.post('/v1/predict', '{"symbol": "EURUSD", '), 400);
  assert.equal(broken.error, 'VALIDATION_ERROR');
  assert.match(broken.message, /not valid JSON/);
  const text = await fetch(`${worker.url}/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  });
  const body = await errorOf(text, 415);
  assert.equal(body.error, 'UNSUPPORTED_MEDIA_TYPE');
});

test('the per-request bar limit is 400 naming the limit and its variable, counted over a whole batch', async () => {
  const small = await startWorker({ maxBarsPerRequest: 100 });
  try {
    const ok = await small.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(100) });
    assert.equal(ok.status, 200);
    const one = await errorOf(
      await small.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(101) }),
      400,
    );
    assert.equal(one.error, 'VALIDATION_ERROR');
    assert.match(
      one.message,
      /101 bars; this worker accepts at most 100 bars per request \(WORKER_MAX_BARS_PER_REQUEST\)/,
    );
    const series = [0, 1, 2].map(() => ({ symbol: 'EURUSD', timeframe: '1h', bars: makeBars(40) }));
    const batch = await errorOf(await small.post('/v1/predict/batch', { series }), 400);
    assert.equal(batch.details?.[0]?.path, 'series');
    assert.match(batch.message, /120 bars/);
    const features = await errorOf(
      await small.post('/v1/features', {
        symbol: 'EURUSD',
        timeframe: '1h',
        bars: makeBars(101),
        indicators: [{ name: 'rsi' }],
      }),
      400,
    );
    assert.match(features.message, /at most 100 bars/);
  } finally {
    await small.close();
  }
});

test('the body limit is 413 naming the limit in bytes and its variable', async () => {
  const small = await startWorker({ bodyLimitBytes: 10_000 });
  try {
    const res = await small.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(200) });
    const body = await errorOf(res, 413);
    assert.equal(body.error, 'PAYLOAD_TOO_LARGE');
    assert.match(body.message, /limit of 10000 bytes .*WORKER_BODY_LIMIT_BYTES/);
  } finally {
    await small.close();
  }
});

test('stateless: two instances give byte-identical answers to the same requests', async () => {
  const other = await startWorker();
  try {
    const requests: [string, unknown][] = [
      ['/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(250, 3) }],
      [
        '/v1/predict/batch',
        { series: [1, 2, 3].map((s) => ({ symbol: 'EURUSD', timeframe: '1h', bars: makeBars(220, s) })) },
      ],
      ['/v1/features', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(50), indicators: [{ name: 'macd' }] }],
    ];
    for (const [path, body] of requests) {
      // Ask the second instance twice, with another request between, to catch state kept across requests too.
      const a = await (await worker.post(path, body)).text();
      await other.post('/v1/predict', { symbol: 'BTCUSDT', timeframe: '1h', bars: makeBars(300, 99) });
      const b = await (await other.post(path, body)).text();
      assert.equal(a, b, path);
    }
  } finally {
    await other.close();
  }
});
