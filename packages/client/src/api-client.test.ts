// Every call of the api client against the real api (buildApp) listening on 127.0.0.1, on a real database: the
// client's typed results are what the api answers, and its errors are classified as the callers rely on.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '@neuronetiq/api';
import type { ConsensusPayload, SignalPayload } from '@neuronetiq/contracts';
import { createTestDatabase, type TestDatabase } from '@neuronetiq/db/testing';
import type { FastifyInstance } from 'fastify';
import { type ApiClient, createApiClient } from './api-client';
import { classifyFailure, failureKind, HttpError } from './errors';

const KEY = 'client-test-service-role-key-0123456789';
const NOW = Date.parse('2030-01-07T10:00:30Z');
const BAR = '2030-01-07T10:01:00.000Z'; // the bar opening at the next close: signals for it are on time
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

const bar = (symbol: string, ms: number, close: number) => ({
  symbol,
  timeframe: '1m' as const,
  bar_ts: iso(ms),
  open: close,
  high: close + 0.001,
  low: close - 0.001,
  close,
  volume: 10,
});

const signal = (model_id: string, confidence = 0.6): SignalPayload => ({
  owner: 'client-test',
  model_id,
  symbol: 'EURUSD',
  timeframe: '1m',
  bar_ts: BAR,
  decision: 'BUY',
  confidence,
  meta: {},
});

const consensus = (symbol: string): ConsensusPayload => ({
  owner: 'client-test',
  symbol,
  timeframe: '1m',
  bar_ts: BAR,
  decision: 'BUY',
  confidence: 0.6,
  contributors: [{ model_id: 'model-a', decision: 'BUY', confidence: 0.6, weight: 1 }],
  meta: {},
});

describe('api client against the real api', () => {
  let tdb: TestDatabase;
  let app: FastifyInstance;
  let client: ApiClient;
  let baseUrl: string;
  before(async () => {
    tdb = await createTestDatabase('pglite');
    app = await buildApp({ db: tdb.db, serviceRoleKey: KEY, logger: false, now: () => NOW });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    client = createApiClient({ baseUrl, token: KEY, timeoutMs: 5_000 });
    // A consensus lists only its owner's registered models; registering twice is fine (409 is not an error).
    const model = { model_id: 'model-a', name: 'Model A', description: '' };
    await client.registerModels('client-test', [model]);
    await client.registerModels('client-test', [model]);
  });
  after(async () => {
    await app?.close();
    await tdb?.close();
  });

  test('upsertBars stores the good bars and reports the bad ones by index (the api refused them all at first)', async () => {
    const t0 = Date.parse('2030-01-07T09:50:00Z');
    const good = Array.from({ length: 10 }, (_, i) => bar('EURUSD', t0 + i * MIN, 1.1 + i / 1000));
    const bad = { ...bar('EURUSD', t0 + 10 * MIN, 1.2), high: 1.0 }; // high below low
    const r = await client.upsertBars([
      ...good,
      bad,
      ...good.slice(0, 5).map((b) => bar('GBPUSD', Date.parse(b.bar_ts), 1.3)),
    ]);
    assert.equal(r.received, 16);
    assert.equal(r.accepted, 15);
    assert.equal(r.written, 15);
    assert.deepEqual(
      r.rejected.map((x) => x.index),
      [10],
    );
    assert.ok(r.rejected[0]?.details.length);
    assert.equal((await client.upsertBars(good)).written, 0, 'an identical re-upload changes nothing');
  });

  test('getBars and queryBars answer oldest first, up to `to`, each series in the order asked', async () => {
    const to = '2030-01-07T09:58:00.000Z';
    const one = await client.getBars({ symbol: 'EURUSD', timeframe: '1m', limit: 3, to });
    assert.deepEqual(
      one.map((b) => b.bar_ts),
      ['2030-01-07T09:56:00.000Z', '2030-01-07T09:57:00.000Z', to],
    );
    assert.equal(one[2]?.close, 1.108);
    const many = await client.queryBars({
      series: [
        { symbol: 'GBPUSD', timeframe: '1m' },
        { symbol: 'USDJPY', timeframe: '1m' },
        { symbol: 'EURUSD', timeframe: '1m' },
      ],
      limit: 2,
      to,
    });
    assert.deepEqual(
      many.map((s) => [s.symbol, s.bars.map((b) => b.bar_ts)]),
      [
        ['GBPUSD', ['2030-01-07T09:53:00.000Z', '2030-01-07T09:54:00.000Z']],
        ['USDJPY', []],
        ['EURUSD', ['2030-01-07T09:57:00.000Z', to]],
      ],
    );
    assert.deepEqual(many[2]?.bars, one.slice(1));
  });

  test('storeSignals and storeConsensusBatch count stored and unchanged, one result per item; a bad item is a 400', async () => {
    await assert.rejects(
      client.storeSignals([signal('model-a'), { ...signal('model-c'), confidence: 2 }]),
      (err: unknown) =>
        err instanceof HttpError &&
        err.status === 400 &&
        classifyFailure(err) === 'reject' &&
        err.details?.[0]?.path === 'signals.1.confidence',
    );
    const first = await client.storeSignals([signal('model-a'), signal('model-b')]);
    assert.deepEqual(
      { stored: first.stored, unchanged: first.unchanged, rejected: first.rejected },
      { stored: 2, unchanged: 0, rejected: 0 },
    );
    const again = await client.storeSignals([signal('model-a')]);
    assert.equal(again.unchanged, 1);
    const c = await client.storeConsensusBatch([consensus('EURUSD'), consensus('GBPUSD')]);
    assert.equal(c.stored, 2);
    assert.deepEqual(
      c.results.map((r) => r.index),
      [0, 1],
    );
  });

  test('storeSignal, storeConsensus and redeliver resolve on 204 under an idempotency key', async () => {
    await client.storeSignal(signal('model-d'));
    await client.storeSignal(signal('model-d')); // the same key and body: the first answer again
    await client.storeConsensus(consensus('USDJPY'));
    const p = signal('model-e');
    await client.redeliver({ kind: 'signal', payload: p, idempotencyKey: 'client-test:redeliver:1' });
    const stored = await tdb.db.query<{ model_id: string }>(
      `SELECT model_id FROM ml.signals_latest WHERE owner = 'client-test' AND model_id IN ('model-d', 'model-e') ORDER BY 1`,
    );
    assert.deepEqual(
      stored.map((r) => r.model_id),
      ['model-d', 'model-e'],
    );
  });

  test('importCsv streams a file to the api importer and returns its report: bad rows by line, the clock assumed', async () => {
    const lines = [
      'timestamp;open;high;low;close;volume',
      '2030-01-06 09:00:00;1.2000;1.2010;1.1990;1.2005;5',
      '2030-01-06 09:01:00;1.2005;1.1990;1.2010;1.2008;5', // high below low
      '2030-01-06 09:02:00;1.2008;1.2020;1.2000;1.2015;5',
      '2030-01-06 09:03:00;-1;1.2020;1.2000;1.2015;5', // non-positive price
    ];
    // Sent as a stream in small pieces, as a file is read: the body is never one buffer.
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16) controller.enqueue(bytes.subarray(i, i + 16));
        controller.close();
      },
    });
    const report = await client.importCsv(stream, { symbol: 'USDCHF', timeframe: '1m', tz: 'Europe/Zurich' });
    assert.equal(report.format, 'generic');
    assert.match(report.clock, /Europe\/Zurich/);
    assert.equal(report.rowsRead, 4);
    assert.equal(report.stored, 2);
    assert.deepEqual(report.rejected.byReason, {
      high_below_low: { count: 1, lines: [3] },
      non_positive_price: { count: 1, lines: [5] },
    });
    // Zurich is UTC+1 in January: the 09:00 local bar is stored at 08:00 UTC.
    const stored = await client.getBars({ symbol: 'USDCHF', timeframe: '1m', limit: 10 });
    assert.deepEqual(
      stored.map((b) => b.bar_ts),
      ['2030-01-06T08:00:00.000Z', '2030-01-06T08:02:00.000Z'],
    );
    const bad = await client
      .importCsv('time,open,high,low,close\n', { symbol: 'USDCHF', timeframe: '1m', tz: 'Mars/Olympus' })
      .catch((e: unknown) => e);
    assert.ok(bad instanceof HttpError);
    assert.equal(bad.status, 400);
    assert.equal(classifyFailure(bad), 'reject');
  });

  test('errors: a refused key and an invalid payload are permanent HttpErrors with the api code and details', async () => {
    const wrong = createApiClient({ baseUrl, token: 'not-the-key-0000000000000000000000' });
    const refused = await wrong.storeSignals([signal('model-a')]).catch((e: unknown) => e);
    assert.ok(refused instanceof HttpError);
    assert.equal(refused.status, 401);
    assert.equal(refused.kind, 'permanent');
    assert.equal(classifyFailure(refused), 'park');
    const invalid = await client.storeSignal({ ...signal('model-f'), confidence: 7 }).catch((e: unknown) => e);
    assert.ok(invalid instanceof HttpError);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.code, 'VALIDATION_ERROR');
    assert.ok(invalid.details?.some((d) => d.path === 'confidence'));
    assert.equal(classifyFailure(invalid), 'reject');
    await assert.rejects(client.storeSignals(Array.from({ length: 1001 }, () => signal('model-a'))), RangeError);
  });

  test('errors: no server and a 503 are transient', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const nobody = await createApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: KEY })
      .getBars({ symbol: 'EURUSD', timeframe: '1m', limit: 1 })
      .catch((e: unknown) => e);
    assert.ok(!(nobody instanceof HttpError));
    assert.equal(failureKind(nobody), 'transient');

    const down = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: false, error: 'SERVICE_UNAVAILABLE', message: 'down' }));
    });
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const err = await createApiClient({
      baseUrl: `http://127.0.0.1:${(down.address() as AddressInfo).port}`,
      token: KEY,
    })
      .queryBars({ series: [{ symbol: 'EURUSD', timeframe: '1m' }], limit: 1 })
      .catch((e: unknown) => e);
    await new Promise<void>((r) => down.close(() => r()));
    assert.ok(err instanceof HttpError);
    assert.equal(err.kind, 'transient');
    assert.equal(classifyFailure(err), 'retry');
  });
});
