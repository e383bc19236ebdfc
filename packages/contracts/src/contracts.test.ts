import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONTRACTS_VERSION,
  ConsensusPayload,
  ConsensusQuerySchema,
  Decision,
  ERROR_CODES,
  findUnstorable,
  HTTP_STATUS_BY_ERROR_CODE,
  idempotencyKeyFor,
  isCompatibleVersion,
  isStorableText,
  jsonTextDepth,
  OhlcvBar,
  OhlcvQuerySchema,
  SignalPayload,
  SignalsQuerySchema,
  Timeframe,
  UtcTimestampSchema,
  zodIssuesToDetails,
} from './index';

const valid = {
  owner: 'pacey999',
  model_id: 'test-model',
  symbol: 'EURUSD',
  timeframe: '5m',
  bar_ts: '2025-01-03T10:30:00Z',
  decision: 'BUY',
  confidence: 0.8,
  meta: {},
};

const pathsOf = (input: unknown) => {
  const r = SignalPayload.safeParse(input);
  return r.success ? [] : zodIssuesToDetails(r.error, input).map((d) => d.path);
};

describe('SignalPayload', () => {
  test("accepts the seed's payload and normalises bar_ts to UTC with milliseconds", () => {
    const r = SignalPayload.parse(valid);
    assert.equal(r.bar_ts, '2025-01-03T10:30:00.000Z');
  });

  test('normalises an explicit offset to UTC', () => {
    assert.equal(
      SignalPayload.parse({ ...valid, bar_ts: '2025-01-03T11:30:00+01:00' }).bar_ts,
      '2025-01-03T10:30:00.000Z',
    );
  });

  test('meta defaults to an empty object', () => {
    const { meta: _meta, ...rest } = valid;
    assert.deepEqual(SignalPayload.parse(rest).meta, {});
  });

  for (const [field, value] of [
    ['owner', 'Pacey999'],
    ['owner', ''],
    ['owner', 'a'.repeat(65)],
    ['model_id', 'has space'],
    ['symbol', 'eurusd'],
    ['symbol', 'A'.repeat(33)],
    ['timeframe', '2m'],
    ['bar_ts', '2025-01-03T10:30:00'],
    ['bar_ts', 'yesterday'],
    ['bar_ts', '2025-01-03T10:31:00Z'],
    ['decision', 'buy'],
    ['confidence', 1.01],
    ['confidence', -0.01],
    ['confidence', Number.NaN],
    ['confidence', Number.POSITIVE_INFINITY],
    ['confidence', '0.5'],
    ['meta', []],
    ['meta', { blob: 'x'.repeat(8200) }],
  ] as const) {
    test(`rejects ${field} = ${JSON.stringify(value)?.slice(0, 30)} naming ${field}`, () => {
      assert.deepEqual(pathsOf({ ...valid, [field]: value }), [field]);
    });
  }

  test('accepts symbols like BRK.B and BTC-USDT, and confidence at both ends', () => {
    for (const symbol of ['BRK.B', 'BTC-USDT', 'ES_F', 'BTCUSDT']) assert.deepEqual(pathsOf({ ...valid, symbol }), []);
    for (const confidence of [0, 1]) assert.deepEqual(pathsOf({ ...valid, confidence }), []);
  });

  test('names unknown top-level keys and missing fields', () => {
    const { confidence: _c, ...missing } = valid;
    const details = zodIssuesToDetails(SignalPayload.safeParse({ ...missing, extra: 1 }).error as never, missing);
    assert.deepEqual(details.map((d) => d.path).sort(), ['confidence', 'extra']);
    assert.match(details.find((d) => d.path === 'confidence')?.message ?? '', /required/);
  });

  test('daily bars sit on 00:00 UTC; 4h bars on multiples of 4 hours', () => {
    assert.deepEqual(pathsOf({ ...valid, timeframe: '1d', bar_ts: '2025-01-03T00:00:00Z' }), []);
    assert.deepEqual(pathsOf({ ...valid, timeframe: '1d', bar_ts: '2025-01-03T05:00:00Z' }), ['bar_ts']);
    assert.deepEqual(pathsOf({ ...valid, timeframe: '4h', bar_ts: '2025-01-03T08:00:00Z' }), []);
    assert.deepEqual(pathsOf({ ...valid, timeframe: '4h', bar_ts: '2025-01-03T09:00:00Z' }), ['bar_ts']);
  });
});

describe('ConsensusPayload and OhlcvBar', () => {
  test('consensus needs at least one contributor with a non-negative weight', () => {
    const base = { ...valid, contributors: [{ model_id: 'a', decision: 'BUY', confidence: 0.5, weight: 1 }] };
    const { model_id: _m, ...c } = base;
    assert.equal(ConsensusPayload.safeParse(c).success, true);
    assert.equal(ConsensusPayload.safeParse({ ...c, contributors: [] }).success, false);
    assert.equal(
      ConsensusPayload.safeParse({
        ...c,
        contributors: [{ model_id: 'a', decision: 'BUY', confidence: 0.5, weight: -1 }],
      }).success,
      false,
    );
  });

  test('a bar needs high >= max(open, close), low <= min(open, close) and positive prices', () => {
    const bar = {
      symbol: 'EURUSD',
      timeframe: '1m',
      bar_ts: '2025-01-03T10:31:00Z',
      open: 1,
      high: 1.2,
      low: 0.9,
      close: 1.1,
      volume: 5,
    };
    assert.equal(OhlcvBar.safeParse(bar).success, true);
    const paths = (b: unknown) => {
      const r = OhlcvBar.safeParse(b);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    assert.deepEqual(paths({ ...bar, high: 1.05 }), ['high']);
    assert.deepEqual(paths({ ...bar, low: 1.05 }), ['low']);
    assert.deepEqual(paths({ ...bar, open: 0 }), ['open']);
    assert.deepEqual(paths({ ...bar, volume: -1 }), ['volume']);
    assert.equal(OhlcvBar.parse({ ...bar, volume: undefined }).volume, null);
  });
});

describe('query schemas', () => {
  test('an empty time range (from after to) is refused naming from; from = to is one instant', () => {
    const range = { from: '2025-01-03T10:30:00Z', to: '2025-01-03T10:25:00Z' };
    for (const [name, schema, extra] of [
      ['ohlcv', OhlcvQuerySchema, { symbol: 'EURUSD', tf: '5m' }],
      ['signals', SignalsQuerySchema, {}],
      ['consensus', ConsensusQuerySchema, {}],
    ] as const) {
      const r = schema.safeParse({ ...extra, ...range });
      assert.equal(r.success, false, name);
      assert.deepEqual(
        zodIssuesToDetails(r.error as never).map((d) => d.path),
        ['from'],
        name,
      );
      assert.equal(schema.safeParse({ ...extra, from: range.from, to: range.from }).success, true, name);
      // An offset that puts `to` after `from` in UTC is a valid range even though its text sorts first.
      assert.equal(schema.safeParse({ ...extra, from: range.to, to: '2025-01-03T11:30:00+01:00' }).success, true);
    }
  });

  test('a malformed time is reported once, at its own field, not as a range error too', () => {
    const r = SignalsQuerySchema.safeParse({ from: 'yesterday', to: '2025-01-03T10:25:00Z' });
    assert.deepEqual(
      zodIssuesToDetails(r.error as never).map((d) => d.path),
      ['from'],
    );
    assert.doesNotMatch(r.error?.issues[0]?.message ?? '', /after/);
  });
});

describe("the seed's exported names", () => {
  test('Decision and Timeframe are schemas as well as types', () => {
    assert.deepEqual(Decision.options, ['BUY', 'SELL', 'NEUTRAL']);
    assert.deepEqual(Timeframe.options, ['1m', '5m', '15m', '30m', '1h', '4h', '1d']);
    const d: Decision = Decision.parse('SELL');
    const tf: Timeframe = Timeframe.parse('4h');
    assert.deepEqual([d, tf], ['SELL', '4h']);
    assert.equal(Decision.safeParse('HOLD').success, false);
  });
});

describe('versions, keys and errors', () => {
  test('CONTRACTS_VERSION is 0.16.4 and only 0.16.x is compatible', () => {
    assert.equal(CONTRACTS_VERSION, '0.16.4');
    assert.equal(isCompatibleVersion('0.16.0'), true);
    assert.equal(isCompatibleVersion('0.16.12'), true);
    assert.equal(isCompatibleVersion('0.17.0'), false);
    assert.equal(isCompatibleVersion('1.16.4'), false);
    assert.equal(isCompatibleVersion('0.16'), false);
  });

  test("idempotencyKeyFor is the seed's owner:model_id:symbol:timeframe:floor(bar_ts/5000)", () => {
    const p = SignalPayload.parse(valid);
    assert.equal(idempotencyKeyFor(p), `pacey999:test-model:EURUSD:5m:${Math.floor(Date.parse(p.bar_ts) / 5000)}`);
    const { model_id: _m, ...consensus } = p;
    assert.match(idempotencyKeyFor(consensus), /^pacey999:~consensus:EURUSD:5m:\d+$/);
  });

  test('every error code has an HTTP status', () => {
    for (const code of ERROR_CODES) assert.ok(HTTP_STATUS_BY_ERROR_CODE[code] >= 400);
  });
});

describe('what PostgreSQL can store (storable.ts)', () => {
  test('isStorableText refuses NUL and unpaired surrogates, and keeps paired ones (emoji)', () => {
    assert.equal(isStorableText('plain text, ünïcödé, 💩'), true);
    for (const s of ['\u0000', 'a\u0000b', '\uD800', 'x\uDC00', '\uDC00\uD800', '💩'.slice(0, 1)]) {
      assert.equal(isStorableText(s), false, JSON.stringify(s));
    }
  });

  test('findUnstorable names every bad value and key by path, and nesting past the limit, without recursion', () => {
    const found = findUnstorable(
      { a: 'ok', b: ['x', 'y\u0000'], c: { 'k\uD800': 1 }, d: { e: { f: {} } } },
      { maxDepth: 3, prefix: ['body'] },
    );
    assert.deepEqual(
      found.map((d) => d.path),
      ['body.b.1', 'body.c', 'body.d.e.f'],
    );
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    assert.equal(findUnstorable(deep).length, 1, 'a million levels: one finding, no stack overflow');
  });

  test('jsonTextDepth counts brackets outside strings only and stops early', () => {
    assert.equal(jsonTextDepth('{"a":[1,{"b":"[[[{"}]]}'), 3);
    assert.equal(jsonTextDepth('"\\"[[["'), 0);
    assert.equal(jsonTextDepth('['.repeat(1_000_000), 64), 65);
  });
});

describe('timestamps', () => {
  test('1900-01-01 to 2100-12-31 UTC are accepted; outside, or not a calendar date, is refused', () => {
    for (const ok of ['1900-01-01T00:00:00Z', '2100-12-31T23:59:59.999Z', '2101-01-01T00:30:00+01:00']) {
      assert.equal(UtcTimestampSchema.safeParse(ok).success, true, ok);
    }
    for (const bad of [
      '9999-12-31T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '1899-12-31T23:59:59.999Z',
      '1900-01-01T00:30:00+01:00',
      '2025-02-29T00:00:00.000Z',
      '+275760-09-13T00:00:00Z',
    ]) {
      assert.equal(UtcTimestampSchema.safeParse(bad).success, false, bad);
    }
  });
});
