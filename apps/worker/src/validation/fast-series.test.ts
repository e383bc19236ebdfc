import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PredictBatchRequestSchema, PredictRequestSchema, TIMEFRAME_MS, TIMEFRAMES } from '@neuronetiq/contracts';
import { canonicalUtcMs, fastParseBatch, fastParseSeries } from './fast-series';

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Json = Record<string, unknown>;

function validSeries(random: () => number): Json {
  const timeframe = TIMEFRAMES[Math.floor(random() * TIMEFRAMES.length)] as (typeof TIMEFRAMES)[number];
  const step = TIMEFRAME_MS[timeframe];
  const start = Math.floor((Date.UTC(2017, 0, 1) + random() * 3e11) / step) * step;
  const n = 1 + Math.floor(random() * 12);
  let price = 0.5 + random() * 100;
  const bars = Array.from({ length: n }, (_, i) => {
    const open = price;
    const close = open * (1 + (random() - 0.5) * 0.01);
    price = close;
    const iso = new Date(start + i * step).toISOString();
    const bar: Json = {
      bar_ts: random() < 0.5 ? iso : iso.replace('.000Z', 'Z'),
      open,
      high: Math.max(open, close) + random() * 0.1,
      low: Math.min(open, close) * (1 - random() * 0.01),
      close,
    };
    const v = random();
    if (v < 0.6) bar.volume = Math.floor(random() * 1000);
    else if (v < 0.8) bar.volume = null;
    return bar;
  });
  const series: Json = { symbol: random() < 0.5 ? 'EURUSD' : 'BRK.B', timeframe, bars };
  if (random() < 0.3) series.models = ['baseline-rsi-001'];
  return series;
}

const TIMESTAMP_VARIANTS = [
  (iso: string) => iso.replace('Z', '+00:00'),
  (iso: string) => iso.replace('Z', '+01:00'),
  (iso: string) => iso.replace('.000Z', '.0Z'),
  (iso: string) => iso.replace('.000Z', '.000000Z'),
  (iso: string) => iso.replace('T', 't'),
  (iso: string) => iso.replace('T', ' '),
  (iso: string) => `${iso.slice(0, 16)}Z`,
  (iso: string) => iso.slice(0, 10),
  (iso: string) => iso.replace(/^\d{4}/, '1969'),
  (iso: string) => iso.replace(/-\d\d-\d\dT/, '-02-30T'),
  (iso: string) => iso.replace(/-\d\d-\d\dT/, '-13-01T'),
  (iso: string) => iso.replace(/T\d\d/, 'T24'),
  (iso: string) => iso.replace(/:\d\d\./, ':60.'),
  (iso: string) => iso.replace(/:\d\d\./, ':07.'),
  (iso: string) => iso.replace(/\.\d\d\dZ/, '.5x0Z'),
  (iso: string) => ` ${iso}`,
  () => 12345,
  () => null,
];

/** One random corruption of a valid series; some leave it valid (unusual but legal forms). */
function mutate(series: Json, random: () => number): void {
  const bars = series.bars as Json[];
  const bar = bars[Math.floor(random() * bars.length)] as Json;
  if (typeof bar !== 'object' || bar === null || Array.isArray(bar)) return;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  const field = pick(['open', 'high', 'low', 'close', 'volume']);
  switch (Math.floor(random() * 14)) {
    case 0:
      bar[field] = pick([0, -1, '1.5', null, true, [], {}, Number.NaN, Number.POSITIVE_INFINITY]);
      break;
    case 1:
      delete bar[field];
      break;
    case 2:
      bar[pick(['vol', 'symbol', 'timeframe', 'bar_ts2', '__x'])] = 1;
      break;
    case 3:
      [bar.high, bar.low] = [bar.low, bar.high];
      break;
    case 4:
      bar.high = (bar.high as number) * 0.98;
      break;
    case 5:
      bar.low = (bar.low as number) * 1.02;
      break;
    case 6:
      bar.bar_ts = pick(TIMESTAMP_VARIANTS)(bar.bar_ts as string);
      break;
    case 7:
      bar.bar_ts = new Date((Date.parse(String(bar.bar_ts)) || 0) + 1000).toISOString();
      break;
    case 8:
      if (bars.length > 1) bars.reverse();
      else bars.push({ ...bar });
      break;
    case 9:
      series.symbol = pick(['eurusd', '', 'X'.repeat(33), 3, 'EUR/USD']);
      break;
    case 10:
      series.timeframe = pick(['2h', '1H', '', null, 'hasOwnProperty', 'toString']);
      break;
    case 11:
      series.models = pick([[], ['Bad Id'], 'baseline-rsi-001', [1], Array(65).fill('m')]);
      break;
    case 12:
      series[pick(['extra', 'bar'])] = 1;
      break;
    default:
      bars[Math.floor(random() * bars.length)] = pick([null, 1, 'bar', [], [1, 2]]) as unknown as Json;
  }
}

function columnsOf(zodSeries: {
  bars: { bar_ts: string; open: number; high: number; low: number; close: number; volume: number | null }[];
}) {
  return {
    barTsMs: Float64Array.from(zodSeries.bars, (b) => Date.parse(b.bar_ts)),
    open: Float64Array.from(zodSeries.bars, (b) => b.open),
    high: Float64Array.from(zodSeries.bars, (b) => b.high),
    low: Float64Array.from(zodSeries.bars, (b) => b.low),
    close: Float64Array.from(zodSeries.bars, (b) => b.close),
    volume: Float64Array.from(zodSeries.bars, (b) => b.volume ?? Number.NaN),
  };
}

test('the fast path accepts every canonical valid series, with the columns the zod schema gives', () => {
  const random = seeded(1);
  for (let i = 0; i < 2000; i++) {
    const series = validSeries(random);
    const zod = PredictRequestSchema.safeParse(series);
    assert.ok(zod.success, JSON.stringify(zod.error?.issues));
    const fast = fastParseSeries(series);
    assert.ok(fast, `fast path refused a canonical series: ${JSON.stringify(series).slice(0, 200)}`);
    assert.deepEqual(fast.columns, columnsOf(zod.data));
    assert.equal(fast.symbol, zod.data.symbol);
    assert.equal(fast.timeframe, zod.data.timeframe);
    assert.deepEqual(fast.models, zod.data.models);
  }
});

test('the fast path never accepts what the zod schema rejects (10,000 corrupted series)', () => {
  const random = seeded(2);
  let rejected = 0;
  for (let i = 0; i < 10_000; i++) {
    const series = validSeries(random);
    mutate(series, random);
    if (random() < 0.3) mutate(series, random);
    const zod = PredictRequestSchema.safeParse(series);
    const fast = fastParseSeries(series);
    if (!zod.success) rejected++;
    if (fast) {
      assert.ok(zod.success, `fast accepted an invalid series: ${JSON.stringify(series).slice(0, 300)}`);
      assert.deepEqual(fast.columns, columnsOf(zod.data));
    }
  }
  assert.ok(rejected > 7000, `the corruptions should mostly be invalid (${rejected})`);
});

test('the batch fast path agrees with the batch schema', () => {
  const random = seeded(3);
  for (let i = 0; i < 1000; i++) {
    const body: Json = { series: Array.from({ length: 1 + Math.floor(random() * 4) }, () => validSeries(random)) };
    if (random() < 0.7) mutate((body.series as Json[])[0] as Json, random);
    if (random() < 0.05) body.extra = true;
    if (random() < 0.05) body.series = [];
    const fast = fastParseBatch(body);
    const zod = PredictBatchRequestSchema.safeParse(body);
    if (fast) assert.ok(zod.success, JSON.stringify(body).slice(0, 300));
  }
});

test('canonicalUtcMs reads both canonical forms and rejects impossible dates', () => {
  assert.equal(canonicalUtcMs('2025-01-03T10:30:00Z'), Date.UTC(2025, 0, 3, 10, 30));
  assert.equal(canonicalUtcMs('2025-01-03T10:30:00.250Z'), Date.UTC(2025, 0, 3, 10, 30, 0, 250));
  assert.equal(canonicalUtcMs('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  for (const bad of ['2023-02-29T00:00:00Z', '2025-04-31T00:00:00Z', '2025-00-10T00:00:00Z', '1969-12-31T23:00:00Z']) {
    assert.ok(Number.isNaN(canonicalUtcMs(bad)), bad);
  }
});
