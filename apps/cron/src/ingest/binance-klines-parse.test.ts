import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isClosedKline, klineToBar, parseBinanceError, parseKlinesBody } from './binance-klines-parse';

// BTCUSDT 1h, 2023-01-01 00:00 UTC, from Binance's monthly dump (../shared/data/binance-btcusdt-1h).
const KLINE = [
  1672531200000,
  '16541.77000000',
  '16545.70000000',
  '16508.39000000',
  '16529.67000000',
  '4364.83570000',
  1672534799999,
  '72146293.58672290',
  149854,
  '2179.94772000',
  '36032352.87035720',
  '0',
];

describe('Binance klines parsing', () => {
  test('a klines body maps to bars with the decimals of its strings', () => {
    const parsed = parseKlinesBody(JSON.stringify([KLINE]));
    assert.ok(parsed.ok);
    const [k] = parsed.klines;
    assert.ok(k);
    assert.deepEqual(klineToBar(k, 'BTCUSDT', '1h'), {
      symbol: 'BTCUSDT',
      timeframe: '1h',
      bar_ts: '2023-01-01T00:00:00.000Z',
      open: 16541.77,
      high: 16545.7,
      low: 16508.39,
      close: 16529.67,
      volume: 4364.8357,
    });
  });

  test('a kline is closed only once its close time has passed', () => {
    const parsed = parseKlinesBody(JSON.stringify([KLINE]));
    assert.ok(parsed.ok);
    const [k] = parsed.klines;
    assert.ok(k);
    assert.equal(isClosedKline(k, 1672534799999), false);
    assert.equal(isClosedKline(k, 1672534800000), true);
  });

  test('malformed bodies come back as errors naming the first problem, never as a throw', () => {
    const bad = (body: string) => {
      const r = parseKlinesBody(body);
      assert.equal(r.ok, false, body);
      return r.ok ? '' : r.error;
    };
    assert.match(bad('<html>busy</html>'), /not JSON/);
    assert.match(bad('{"a":1}'), /expected array/);
    assert.match(bad(JSON.stringify([[...KLINE.slice(0, 1), 16541.77, ...KLINE.slice(2)]])), /^0\.1: /);
    assert.match(bad(JSON.stringify([KLINE.slice(0, 5)])), /^0/);
    assert.match(bad(JSON.stringify([[...KLINE.slice(0, 2), '-1', ...KLINE.slice(3)]])), /decimal/);
  });

  test('a Binance error body is read as {code, msg}', () => {
    assert.deepEqual(parseBinanceError('{"code":-1121,"msg":"Invalid symbol."}'), {
      code: -1121,
      msg: 'Invalid symbol.',
    });
    assert.equal(parseBinanceError('Bad gateway'), undefined);
  });
});
