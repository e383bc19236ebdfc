import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PredictBatchRequestSchema, PredictRequestSchema, TIMEFRAME_MS, TIMEFRAMES } from '@neuronetiq/contracts';
import { decodeSeriesJson } from './decode-series';
import { fastParseBatch, fastParseSeries } from './fast-series';

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const PRICES = [
  () => 1.07219,
  (r: () => number) => Math.round(r() * 1e5) / 1e5 + 0.5,
  (r: () => number) => r() * 1000 + 1,
  (r: () => number) => Math.floor(r() * 50_000) + 1,
  (r: () => number) => (r() + 0.01) * 1e-9,
  (r: () => number) => (r() + 0.01) * 1e25,
];

function validSeries(random: () => number) {
  const timeframe = TIMEFRAMES[Math.floor(random() * TIMEFRAMES.length)] as (typeof TIMEFRAMES)[number];
  const step = TIMEFRAME_MS[timeframe];
  const start = Math.floor((Date.UTC(2017, 0, 1) + random() * 3e11) / step) * step;
  const scale = PRICES[Math.floor(random() * PRICES.length)] as (r: () => number) => number;
  const bars = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) => {
    const a = scale(random);
    const b = scale(random);
    const iso = new Date(start + i * step).toISOString();
    const bar: Record<string, unknown> = {
      bar_ts: random() < 0.5 ? iso : iso.replace('.000Z', 'Z'),
      open: a,
      high: Math.max(a, b) * (1 + random() * 0.01),
      low: Math.min(a, b) * (1 - random() * 0.01),
      close: b,
    };
    const v = random();
    if (v < 0.5) bar.volume = Math.floor(random() * 1e6);
    else if (v < 0.7) bar.volume = null;
    else if (v < 0.8) bar.volume = random() * 10;
    return bar;
  });
  const series: Record<string, unknown> = { symbol: 'EURUSD', timeframe, bars };
  if (random() < 0.3) series.models = ['baseline-rsi-001', 'logreg-001'];
  return series;
}

/** Serialises with random whitespace and key order, and numbers in other legal notations. */
function serialize(value: unknown, random: () => number): string {
  const sp = () => [' ', '', '\n', '\t', '  ', '\r\n'][Math.floor(random() * 6)] ?? '';
  if (typeof value === 'number') {
    const r = random();
    if (r < 0.1) return value.toExponential();
    if (r < 0.15) return value.toExponential().toUpperCase().replace('E+', 'E');
    if (r < 0.2 && Number.isInteger(value)) return `${value}.000`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${sp()}${value.map((v) => serialize(v, random)).join(`${sp()},${sp()}`)}${sp()}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (random() < 0.5) entries.reverse();
    return `{${sp()}${entries.map(([k, v]) => `${JSON.stringify(k)}${sp()}:${sp()}${serialize(v, random)}`).join(',')}${sp()}}`;
  }
  return JSON.stringify(value);
}

function expectSame(text: string, kind: 'batch' | 'series') {
  const decoded = decodeSeriesJson(Buffer.from(text), kind, 1_000_000);
  if (!decoded) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`decoder accepted text JSON.parse rejects: ${text.slice(0, 200)}`);
  }
  const zod = (kind === 'batch' ? PredictBatchRequestSchema : PredictRequestSchema).safeParse(parsed);
  assert.ok(zod.success, `decoder accepted a body the schema rejects: ${text.slice(0, 300)}`);
  const reference = kind === 'batch' ? fastParseBatch(parsed) : [fastParseSeries(parsed)];
  assert.deepEqual(decoded, reference, text.slice(0, 300));
  return true;
}

test('the decoder reads canonical predict bodies exactly as JSON.parse and the schema do', () => {
  const random = seeded(1);
  for (let i = 0; i < 3000; i++) {
    const series = validSeries(random);
    assert.ok(expectSame(JSON.stringify(series), 'series'), `refused: ${JSON.stringify(series).slice(0, 300)}`);
    const batch = { series: [series, validSeries(random)] };
    assert.ok(expectSame(JSON.stringify(batch), 'batch'));
  }
});

test('the decoder reads other legal spellings (whitespace, key order, exponents) identically or defers', () => {
  const random = seeded(2);
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    if (expectSame(serialize({ series: [validSeries(random), validSeries(random)] }, random), 'batch')) accepted++;
  }
  assert.ok(accepted > 2000, `most should stay on the fast path (${accepted})`);
});

test('the decoder never accepts a corrupted body that JSON.parse or the schema would reject', () => {
  const random = seeded(3);
  const junk = [
    '',
    ' ',
    '"',
    '\\',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '-',
    '0',
    '1',
    '.',
    'e',
    'null',
    'x',
    '\u00e9',
    '\u0000',
  ];
  for (let i = 0; i < 20_000; i++) {
    const text = JSON.stringify({ series: [validSeries(random)] });
    const at = Math.floor(random() * text.length);
    const r = random();
    let corrupted: string;
    if (r < 0.4) corrupted = text.slice(0, at) + (junk[Math.floor(random() * junk.length)] ?? '') + text.slice(at + 1);
    else if (r < 0.7) corrupted = text.slice(0, at) + (junk[Math.floor(random() * junk.length)] ?? '') + text.slice(at);
    else if (r < 0.85) corrupted = text.slice(0, at);
    else corrupted = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
    expectSame(corrupted, 'batch');
  }
});

test('the decoder defers on keys the contracts do not know, repeated keys, escapes and limits', () => {
  const body = {
    series: [
      {
        symbol: 'EURUSD',
        timeframe: '1h',
        bars: [{ bar_ts: '2025-01-06T00:00:00Z', open: 1, high: 2, low: 0.5, close: 1.5 }],
      },
    ],
  };
  const text = JSON.stringify(body);
  assert.ok(decodeSeriesJson(Buffer.from(text), 'batch', 10));
  assert.equal(decodeSeriesJson(Buffer.from(text), 'batch', 0), undefined, 'over the bar limit');
  assert.equal(decodeSeriesJson(Buffer.from(text.replace('"open"', '"open":1,"open"')), 'batch', 10), undefined);
  assert.equal(decodeSeriesJson(Buffer.from(text.replace('"close"', '"closed"')), 'batch', 10), undefined);
  assert.equal(decodeSeriesJson(Buffer.from(text.replace('EURUSD', 'EUR\\u0055SD')), 'batch', 10), undefined);
  assert.equal(decodeSeriesJson(Buffer.from(`${text.slice(0, -1)},"x":1}`), 'batch', 10), undefined);
  assert.equal(decodeSeriesJson(Buffer.from(`\ufeff${text}`), 'batch', 10), undefined);
  assert.equal(decodeSeriesJson(Buffer.from(text.replace('"bars"', '"models":[],"bars"')), 'batch', 10), undefined);
});

test('the decoder reads timestamps from 1970 to 2400, leap days included, as Date.parse does', () => {
  const random = seeded(4);
  const stamps = ['1970-01-01T00:00:00Z', '2000-02-29T00:00:00Z', '2100-02-28T00:00:00Z', '2400-02-29T00:00:00.000Z'];
  for (let i = 0; i < 2000; i++) stamps.push(new Date(Math.floor(random() * 226_157_760) * 60_000).toISOString());
  for (const ts of stamps) {
    const text = JSON.stringify({
      symbol: 'X',
      timeframe: '1m',
      bars: [{ bar_ts: ts, open: 1, high: 1, low: 1, close: 1 }],
    });
    const decoded = decodeSeriesJson(Buffer.from(text), 'series', 10);
    const expected = Date.parse(ts);
    if (expected % 60_000 !== 0) {
      assert.equal(decoded, undefined, ts);
      continue;
    }
    assert.equal(decoded?.[0]?.columns.barTsMs[0], expected, ts);
  }
});
