// The Binance klines adapter against a real HTTP stand-in of Binance on 127.0.0.1 (Binance-shaped bodies, a Date
// header from the manual clock, scripted 429 / 400 / malformed answers) and the real api on the embedded database.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@neuronetiq/api';
import { silentLogger } from '@neuronetiq/client';
import { createTestDatabase, type TestDatabase } from '@neuronetiq/db/testing';
import { createManualClock, type ManualClock } from '@neuronetiq/service/clock';
import type { FastifyInstance } from 'fastify';
import type { CronConfigInput } from '../config';
import { createCron } from '../cron';
import type { BinanceKlinesOptions, BinanceSeriesState } from './binance-klines';

const KEY = 'binance-test-service-role-key-0123456789';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DATA = fileURLToPath(new URL('../../../../../shared/data/binance-btcusdt-1h', import.meta.url));

type Kline = [number, string, string, string, string, string, number, string, number, string, string, string];

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `n` klines from `startMs` with 8-decimal prices (a deterministic zig-zag). */
function generateKlines(startMs: number, intervalMs: number, n: number): Kline[] {
  return Array.from({ length: n }, (_, i) => {
    const open = 2000 + (i % 97) * 1.23456789;
    const close = 2000 + ((i + 1) % 97) * 1.23456789;
    const high = Math.max(open, close) + 0.5;
    const low = Math.min(open, close) - 0.5;
    const t = startMs + i * intervalMs;
    return [
      t,
      open.toFixed(8),
      high.toFixed(8),
      low.toFixed(8),
      close.toFixed(8),
      (10 + i * 0.001).toFixed(8),
      t + intervalMs - 1,
      '1000.00000000',
      42,
      '5.00000000',
      '500.00000000',
      '0',
    ];
  });
}

/** The klines of ../shared/data/binance-btcusdt-1h (Binance's monthly CSV dumps), oldest first. */
function loadSharedKlines(): Kline[] {
  const klines: Kline[] = [];
  for (const file of readdirSync(DATA)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    for (const line of readFileSync(`${DATA}/${file}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(',');
      if (f.length < 12) continue;
      klines.push([
        Number(f[0]),
        f[1] as string,
        f[2] as string,
        f[3] as string,
        f[4] as string,
        f[5] as string,
        Number(f[6]),
        f[7] as string,
        Number(f[8]),
        f[9] as string,
        f[10] as string,
        f[11] as string,
      ]);
    }
  }
  return klines.sort((a, b) => a[0] - b[0]);
}

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}
interface FakeBinance {
  url: string;
  requests: { symbol: string; interval: string; startTime: number; limit: number; at: number }[];
  /** One-shot answers per symbol, used before the data. */
  script: Map<string, Reply[]>;
  close(): Promise<void>;
}

/**
 * Serves `GET /api/v3/klines` from `series` ("SYMBOL:interval" → klines) as Binance does: from startTime, at most
 * `limit`, up to the kline forming at the clock's now (served with its close still moving: close = open).
 */
async function startFakeBinance(series: Map<string, Kline[]>, clock: ManualClock): Promise<FakeBinance> {
  const requests: FakeBinance['requests'] = [];
  const script = new Map<string, Reply[]>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const at = clock.now();
    const symbol = url.searchParams.get('symbol') ?? '';
    const interval = url.searchParams.get('interval') ?? '';
    const startTime = Number(url.searchParams.get('startTime'));
    const limit = Number(url.searchParams.get('limit'));
    requests.push({ symbol, interval, startTime, limit, at });
    const send = (r: Reply) => {
      res.writeHead(r.status, { 'content-type': 'application/json', date: new Date(at).toUTCString(), ...r.headers });
      res.end(r.body);
    };
    const scripted = script.get(symbol)?.shift();
    if (scripted) return send(scripted);
    const klines = series.get(`${symbol}:${interval}`);
    if (url.pathname !== '/api/v3/klines' || !klines) {
      return send({ status: 400, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) });
    }
    const page = klines
      .filter((k) => k[0] >= startTime && k[0] <= at)
      .slice(0, limit)
      .map((k): Kline => (k[6] >= at ? [k[0], k[1], k[2], k[3], k[1], k[5], k[6], k[7], k[8], k[9], k[10], k[11]] : k));
    send({ status: 200, body: JSON.stringify(page) });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A decimal string as numeric prints it: no trailing zeros. */
const canonical = (d: string) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d);

describe('Binance spot klines ingestion', () => {
  let tdb: TestDatabase;
  let api: FastifyInstance;
  let apiUrl: string;
  let clock: ManualClock;
  const binances: FakeBinance[] = [];

  before(async () => {
    tdb = await createTestDatabase('pglite');
    clock = createManualClock(0);
    api = await buildApp({
      db: tdb.db,
      serviceRoleKey: KEY,
      logger: false,
      now: () => clock.now(),
      rateLimitPerMinute: 100_000,
    });
    await api.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await Promise.all(binances.map((b) => b.close()));
    await api?.close();
    await tdb?.close();
  });

  const cronOn = (binance: BinanceKlinesOptions, c: ManualClock) =>
    createCron(
      {
        infraApiUrl: apiUrl,
        serviceRoleKey: KEY,
        databaseUrl: tdb.url,
        host: '127.0.0.1',
        port: 0,
        listen: false,
        drainIntervalMs: 24 * HOUR,
        maintenanceIntervalMs: 24 * HOUR,
        scoreIntervalMs: 24 * HOUR,
        rollUp: { timeframes: [], intervalMs: 24 * HOUR },
        binance,
      } satisfies CronConfigInput,
      { clock: c, db: tdb.db, logger: silentLogger, random: () => 0.5 },
    );

  const health = async (port: number) =>
    (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { feeds: { binance: BinanceSeriesState[] } };
  const seriesOf = async (port: number, symbol: string) =>
    (await health(port)).feeds.binance.find((s) => s.symbol === symbol) as BinanceSeriesState;
  const stored = (symbol: string, timeframe: string) =>
    tdb.db.query<{ ms: string; open: string; high: string; low: string; close: string; volume: string }>(
      `SELECT (extract(epoch FROM bar_ts) * 1000)::bigint::text AS ms, open::text, high::text, low::text, close::text,
              volume::text
       FROM market.ohlcv WHERE symbol = $1 AND timeframe = $2 ORDER BY bar_ts`,
      [symbol, timeframe],
    );
  const postedOf = async (cron: ReturnType<typeof cronOn>, symbol: string) =>
    (await cron.metrics.providerBars.get()).values
      .filter((v) => v.labels.symbol === symbol && v.labels.outcome === 'posted')
      .reduce((n, v) => n + v.value, 0);

  test('backfill pages through more than 1,000 klines, stores exactly the closed ones with exact decimals, waits for the forming one to close, and resumes after a restart without re-posting', async (t) => {
    const shared = existsSync(DATA);
    if (!shared) t.diagnostic(`${DATA} is absent (a fresh clone has no ../shared/data): generated klines instead`);
    // Shared data: 2023-01 … 2023-05 of BTCUSDT 1h; the clock half an hour into the bar of 2023-04-15 00:00.
    const T = Date.parse(shared ? '2023-04-15T00:30:00Z' : '2025-03-03T00:30:00Z');
    const klines = shared ? loadSharedKlines() : generateKlines(T - 30 * MIN - 2_000 * HOUR, HOUR, 2_100);
    clock = createManualClock(T);
    const binance = await startFakeBinance(new Map([['BTCUSDT:1h', klines]]), clock);
    binances.push(binance);
    const options: BinanceKlinesOptions = {
      symbols: ['BTCUSDT'],
      timeframes: ['1h'],
      baseUrl: binance.url,
      pollMs: 24 * HOUR,
      backfillBars: 1_500,
    };
    const start = Date.parse(`${new Date(T).toISOString().slice(0, 13)}:00:00Z`) - 1_500 * HOUR;
    const expectClosed = (nowMs: number) => klines.filter((k) => k[0] >= start && k[6] < nowMs);
    assert.ok(expectClosed(T).length > 1_000, 'more than one page of history');

    const first = cronOn(options, clock);
    const { port } = await first.start();
    try {
      await waitFor('caught up', async () => (await seriesOf(port, 'BTCUSDT')).status === 'live', 8_000);
      const want = expectClosed(T);
      const rows = await stored('BTCUSDT', '1h');
      assert.equal(rows.length, want.length, 'exactly the closed klines are stored');
      for (let i = 0; i < want.length; i++) {
        const k = want[i] as Kline;
        const r = rows[i];
        assert.deepEqual(
          r && [Number(r.ms), r.open, r.high, r.low, r.close, r.volume],
          [k[0], ...[k[1], k[2], k[3], k[4], k[5]].map(canonical)],
          `bar ${new Date(k[0]).toISOString()}`,
        );
      }
      assert.ok(binance.requests.length >= 2, 'paged');
      assert.ok(binance.requests.every((r) => r.limit === 1000 && r.interval === '1h'));
      assert.equal(binance.requests[0]?.startTime, start);
      const forming = Date.parse(`${new Date(T).toISOString().slice(0, 13)}:00:00Z`);
      assert.ok(!rows.some((r) => Number(r.ms) === forming), 'the forming kline is not stored');
      assert.equal(await postedOf(first, 'BTCUSDT'), want.length);

      // The forming kline closes: it is polled 2 s after the close and stored with its final values.
      await clock.advanceTo(forming + HOUR + 2_000);
      await waitFor('the closed kline stored', async () => (await stored('BTCUSDT', '1h')).length === want.length + 1);
      const last = (await stored('BTCUSDT', '1h')).at(-1);
      const k = klines.find((x) => x[0] === forming) as Kline;
      assert.equal(Number(last?.ms), forming);
      assert.equal(last?.close, canonical(k[4]), 'the final close, not the forming one');
    } finally {
      await first.stop();
    }

    // Restart two hours later: it asks from the bar after the newest stored one and posts only the new bars.
    const before = binance.requests.length;
    await clock.advance(2 * HOUR);
    const second = cronOn(options, clock);
    const { port: port2 } = await second.start();
    try {
      await waitFor('caught up after restart', async () => (await seriesOf(port2, 'BTCUSDT')).status === 'live');
      const want = expectClosed(clock.now());
      const resumedAt = Date.parse(`${new Date(T).toISOString().slice(0, 13)}:00:00Z`) + HOUR;
      assert.equal(binance.requests[before]?.startTime, resumedAt);
      assert.equal(await postedOf(second, 'BTCUSDT'), 2, 'only the two bars closed since');
      assert.equal((await stored('BTCUSDT', '1h')).length, want.length);
    } finally {
      await second.stop();
    }
  });

  test('429 waits Retry-After; a malformed body is counted and retried; 400 Invalid symbol stops that series only and shows in /health', async () => {
    const T = Date.parse('2025-03-03T10:00:30Z');
    clock = createManualClock(T);
    const binance = await startFakeBinance(
      new Map([['ETHUSDT:1m', generateKlines(T - 100 * MIN - 30_000, MIN, 200)]]),
      clock,
    );
    binances.push(binance);
    binance.script.set('ETHUSDT', [
      {
        status: 429,
        body: JSON.stringify({ code: -1003, msg: 'Too many requests.' }),
        headers: { 'retry-after': '3' },
      },
      { status: 200, body: '[[1740995400000,"1.0","x"]]' },
    ]);
    const cron = cronOn(
      {
        symbols: ['ETHUSDT', 'BADSYM'],
        timeframes: ['1m'],
        baseUrl: binance.url,
        pollMs: 24 * HOUR,
        backfillBars: 5,
        backoff: { baseMs: 1_000, maxMs: 4_000 },
      },
      clock,
    );
    const eth = () => binance.requests.filter((r) => r.symbol === 'ETHUSDT');
    const { port } = await cron.start();
    try {
      await waitFor('BADSYM stopped', async () => (await seriesOf(port, 'BADSYM')).status === 'stopped');
      const bad = await seriesOf(port, 'BADSYM');
      assert.equal(bad.last_error?.kind, 'invalid_request');
      assert.match(bad.last_error?.message ?? '', /400 -1121 Invalid symbol\./);
      await waitFor('first ETHUSDT request', () => eth().length === 1);
      await waitFor('Retry-After sleep', () => clock.pending().includes(T + 3_000));

      await clock.advance(2_999);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(eth().length, 1, 'no request before Retry-After is over');
      await clock.advanceTo(T + 3_000);
      await waitFor('request after Retry-After', () => eth().length === 2);
      assert.ok((eth()[1]?.at ?? 0) - (eth()[0]?.at ?? 0) >= 3_000);

      // The malformed answer: counted, visible, retried after a backoff (the second failure in a row: a 2 s step, of
      // which random 0.5 keeps 1.5 s).
      await waitFor('malformed noted', async () => (await seriesOf(port, 'ETHUSDT')).last_error?.kind === 'malformed');
      const errors = (await cron.metrics.providerErrors.get()).values;
      const count = (kind: string) =>
        errors.find((v) => v.labels.symbol === 'ETHUSDT' && v.labels.kind === kind)?.value ?? 0;
      assert.equal(count('malformed'), 1);
      assert.equal(count('rate_limited'), 1);
      assert.match(
        await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
        /cron_provider_errors_total\{[^}]*kind="malformed"[^}]*\} 1/,
      );
      await waitFor('backoff sleep', () => clock.pending().includes(T + 3_000 + 1_500));
      await clock.advance(1_499);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(eth().length, 2, 'no request before the backoff is over');
      await clock.advance(1);
      await waitFor('backfill stored', async () => (await seriesOf(port, 'ETHUSDT')).status === 'live');
      assert.deepEqual(
        (await stored('ETHUSDT', '1m')).map((r) => Number(r.ms)),
        [5, 4, 3, 2, 1].map((n) => T - 30_000 - n * MIN),
        '09:55 … 09:59, not the forming 10:00',
      );

      // ETHUSDT goes on; BADSYM was asked exactly once.
      await clock.advanceTo(T - 30_000 + MIN + 2_000);
      await waitFor('next bar', async () => (await stored('ETHUSDT', '1m')).length === 6);
      assert.equal(binance.requests.filter((r) => r.symbol === 'BADSYM').length, 1);
      const body = await health(port);
      assert.equal((body as unknown as { status: string }).status, 'ok');
      assert.equal(
        body.feeds.binance.find((s) => s.symbol === 'ETHUSDT')?.last_bar,
        new Date(T - 30_000).toISOString(),
      );
      assert.match(
        await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
        /cron_provider_bars_total\{provider="binance",symbol="ETHUSDT",timeframe="1m",outcome="posted"\} 6/,
      );
    } finally {
      await cron.stop();
    }
  });
});
