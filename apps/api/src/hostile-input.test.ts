// Inputs an attacker (or a broken client) sends: each class gets a 4xx naming the field, never a 5xx, and nothing of a
// refused request is stored, the rest of its batch included (issue 9, "Inputs that must get a 4xx").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { JSON_DEPTH_MAX, META_DEPTH_MAX } from '@neuronetiq/contracts';
import type { LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import {
  type ApiTestContext,
  consensus,
  createVendor,
  describeEachBackend,
  JWT_SECRET,
  signal,
  uniqueSlug,
} from './test-helpers';

const NUL = '\u0000';
const LONE_HIGH = '\uD800';
const LONE_LOW = '\uDC00';

/** Asserts a 4xx in the contracts' error shape whose details (or message) name `path`. */
function assertRefused(res: LightMyRequestResponse, status: number, path: string, what: string): void {
  assert.equal(res.statusCode, status, `${what}: ${res.statusCode} ${res.body}`);
  const body = res.json();
  assert.equal(body.success, false, what);
  assert.equal(typeof body.message, 'string', what);
  const paths = (body.details ?? []).map((d: { path: string }) => d.path);
  assert.ok(paths.includes(path), `${what}: details ${JSON.stringify(paths)} do not name ${path} (${body.message})`);
}

const count = async (ctx: ApiTestContext, sql: string, params: unknown[]) =>
  Number((await ctx.database.db.query<{ n: number }>(sql, params))[0]?.n);
const signalsOf = (ctx: ApiTestContext, owner: string) =>
  count(ctx, 'SELECT count(*) AS n FROM ml.signals_latest WHERE owner = $1', [owner]);
const consensusOf = (ctx: ApiTestContext, owner: string) =>
  count(ctx, 'SELECT count(*) AS n FROM ml.consensus_latest WHERE owner = $1', [owner]);
const barsOf = (ctx: ApiTestContext, symbol: string) =>
  count(ctx, 'SELECT count(*) AS n FROM market.ohlcv WHERE symbol = $1', [symbol]);

const bar = (symbol: string, bar_ts: string, timeframe = '1m') => ({
  symbol,
  timeframe,
  bar_ts,
  open: 1.1,
  high: 1.2,
  low: 1.0,
  close: 1.15,
  volume: 1,
});

/** `{ a: { a: … { a: 1 } } }`, `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
}

describeEachBackend('hostile input: a 4xx naming the field, never a 5xx, nothing stored', (ctx) => {
  test('NUL and lone surrogates in body fields, meta keys and values, and batch items are 400 naming them', async () => {
    const owner = uniqueSlug('nul');
    const cases: { url: string; payload: unknown; path: string }[] = [
      { url: '/api/signals/store', payload: signal({ owner, meta: { note: `a${NUL}b` } }), path: 'meta.note' },
      { url: '/api/signals/store', payload: signal({ owner, meta: { note: `x${LONE_HIGH}` } }), path: 'meta.note' },
      { url: '/api/signals/store', payload: signal({ owner, meta: { [`k${NUL}`]: 1 } }), path: 'meta' },
      {
        url: '/api/signals/store',
        payload: signal({ owner, meta: { deep: [{ [LONE_LOW]: 1 }] } }),
        path: 'meta.deep.0',
      },
      {
        url: '/api/signals/batch',
        payload: { signals: [signal({ owner }), signal({ owner, model_id: 'm-2', meta: { x: NUL } })] },
        path: 'signals.1.meta.x',
      },
      { url: '/api/consensus/store', payload: { ...consensus(owner), meta: { x: LONE_LOW } }, path: 'meta.x' },
      {
        url: '/api/consensus/batch',
        payload: { consensus: [consensus(owner), consensus(owner, { symbol: 'GBPUSD', meta: { [NUL]: NUL } })] },
        path: 'consensus.1.meta',
      },
      {
        url: '/api/models',
        payload: { owner, model_id: 'm-nul', name: 'ok', description: `d${NUL}` },
        path: 'description',
      },
      { url: '/api/models', payload: { owner, model_id: 'm-nul', name: `n${LONE_HIGH}` }, path: 'name' },
      { url: '/api/keys', payload: { owner, name: `laptop${NUL}` }, path: 'name' },
    ];
    for (const c of cases) {
      const res = await ctx().asService({ method: 'POST', url: c.url, payload: c.payload as object });
      assertRefused(res, 400, c.path, `${c.url} ${c.path}`);
    }
    assert.equal(await signalsOf(ctx(), owner), 0);
    assert.equal(await consensusOf(ctx(), owner), 0);
    assert.equal(await count(ctx(), 'SELECT count(*) AS n FROM ml.models WHERE owner = $1', [owner]), 0);
    assert.equal(await count(ctx(), 'SELECT count(*) AS n FROM app.api_keys WHERE owner = $1', [owner]), 0);
    const codes = await count(ctx(), 'SELECT count(*) AS n FROM app.cli_device_codes', []);
    assertRefused(
      await ctx().inject({ method: 'POST', url: '/api/cli/device/code', payload: { client_name: `mp${LONE_LOW}` } }),
      400,
      'client_name',
      'device code client_name',
    );
    assert.equal(await count(ctx(), 'SELECT count(*) AS n FROM app.cli_device_codes', []), codes);
  });

  test('NUL in a query string or a path parameter is 400 naming it', async () => {
    const cases: [string, string][] = [
      ['/api/signals?symbol=%00', 'symbol'],
      ['/api/marketplace/models?q=a%00', 'q'],
      ['/api/marketdata/ohlcv?symbol=EURUSD&tf=1m&from=2026-01-05T00:00:00Z%00', 'from'],
      ['/api/marketplace/vendors/a%00b', 'owner'],
      ['/api/marketplace/models/a%00/b', 'owner'],
    ];
    for (const [url, path] of cases) assertRefused(await ctx().asService({ method: 'GET', url }), 400, path, url);
  });

  test(`meta nested deeper than ${META_DEPTH_MAX} levels, or a body deeper than ${JSON_DEPTH_MAX}, is 400`, async () => {
    const owner = uniqueSlug('deep');
    const ok = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ owner, meta: nested(META_DEPTH_MAX) }),
    });
    assert.equal(ok.statusCode, 204, ok.body);
    const deep = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ owner, model_id: 'm-deep', meta: nested(META_DEPTH_MAX + 1) }),
    });
    assertRefused(deep, 400, `meta${'.a'.repeat(META_DEPTH_MAX)}`, 'meta one level too deep');
    assert.match(deep.json().details[0].message, /more than 16 levels deep/);
    // 100,000 levels: the body's text is refused before it is parsed, so nothing recursive ever sees it.
    const text = JSON.stringify(signal({ owner, model_id: 'm-deeper', meta: { x: 1 } })).replace(
      '{"x":1}',
      `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
    );
    const deeper = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'content-type': 'application/json' },
      payload: text,
    });
    assertRefused(deeper, 400, '', 'meta 100,000 levels deep');
    assert.match(deeper.json().message, /more than 64 levels deep/);
    assert.equal(await signalsOf(ctx(), owner), 1);
  });

  test('a 1 MiB body of nested brackets is a 400 on every JSON route, before parsing', async () => {
    const half = 512 * 1024;
    const payload = `${'['.repeat(half)}${']'.repeat(half - 1)}`; // 1 MiB less one byte: under the body limit
    for (const url of ['/api/signals/store', '/api/signals/batch', '/api/marketdata/ohlcv', '/api/models']) {
      const res = await ctx().asService({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload,
      });
      assertRefused(res, 400, '', url);
      assert.match(res.json().message, /more than 64 levels deep/, url);
    }
  });

  test('timestamps outside 1900-2100, or that no calendar has, are 400 naming the field; 9999-12-31 is never stored', async () => {
    const owner = uniqueSlug('ts');
    const symbol = uniqueSlug('T').toUpperCase();
    for (const bar_ts of [
      '9999-12-31T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '1899-12-31T23:59:00Z',
      '2101-01-01T00:00:00Z',
      '2026-02-30T00:00:00.000Z',
      '+275760-09-13T00:00:00Z',
      '-000001-01-01T00:00:00Z',
    ]) {
      assertRefused(
        await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner, bar_ts }) }),
        400,
        'bar_ts',
        `signal ${bar_ts}`,
      );
      assertRefused(
        await ctx().asService({ method: 'POST', url: '/api/consensus/store', payload: consensus(owner, { bar_ts }) }),
        400,
        'bar_ts',
        `consensus ${bar_ts}`,
      );
      assertRefused(
        await ctx().asService({
          method: 'POST',
          url: '/api/marketdata/ohlcv',
          payload: { bars: [bar(symbol, bar_ts)] },
        }),
        400,
        'bars.0.bar_ts',
        `bar ${bar_ts}`,
      );
      for (const [url, field] of [
        [`/api/signals?from=${encodeURIComponent(bar_ts)}`, 'from'],
        [`/api/consensus?to=${encodeURIComponent(bar_ts)}`, 'to'],
        [`/api/marketdata/ohlcv?symbol=EURUSD&tf=1m&to=${encodeURIComponent(bar_ts)}`, 'to'],
      ] as const) {
        assertRefused(await ctx().asService({ method: 'GET', url }), 400, field, url);
      }
      assertRefused(
        await ctx().asService({
          method: 'POST',
          url: '/api/marketdata/ohlcv/query',
          payload: { series: [{ symbol: 'EURUSD', tf: '1m' }], to: bar_ts },
        }),
        400,
        'to',
        `ohlcv/query to ${bar_ts}`,
      );
    }
    assert.equal(await signalsOf(ctx(), owner), 0);
    assert.equal(await consensusOf(ctx(), owner), 0);
    assert.equal(await barsOf(ctx(), symbol), 0);
  });

  test('bar_ts more than one bar ahead of the api clock is 422 BAR_IN_FUTURE for signals, consensus and bars', async () => {
    // The test clock is 2026-01-05T12:00:30Z: on 1m the open bar is 12:00 and the next 12:01; on 1h the next is 13:00.
    const owner = uniqueSlug('fut');
    const symbol = uniqueSlug('F').toUpperCase();
    const next = [
      { timeframe: '1m', bar_ts: '2026-01-05T12:01:00Z' },
      { timeframe: '1h', bar_ts: '2026-01-05T13:00:00Z' },
    ];
    const ahead = [
      { timeframe: '1m', bar_ts: '2026-01-05T12:02:00Z' },
      { timeframe: '1h', bar_ts: '2026-01-05T14:00:00Z' },
      { timeframe: '1d', bar_ts: '2026-01-07T00:00:00Z' },
    ];
    for (const t of ahead) {
      const what = `${t.timeframe} ${t.bar_ts}`;
      for (const [url, payload, path] of [
        ['/api/signals/store', signal({ owner, ...t } as object), 'bar_ts'],
        ['/api/consensus/store', consensus(owner, t), 'bar_ts'],
        [
          '/api/signals/batch',
          { signals: [signal({ owner }), signal({ owner, model_id: 'm-2', ...t } as object)] },
          'signals.1.bar_ts',
        ],
        [
          '/api/consensus/batch',
          { consensus: [consensus(owner), consensus(owner, { symbol: 'GBPUSD', ...t })] },
          'consensus.1.bar_ts',
        ],
        [
          '/api/marketdata/ohlcv',
          { bars: [bar(symbol, '2026-01-05T12:00:00Z'), bar(symbol, t.bar_ts, t.timeframe)] },
          'bars.1.bar_ts',
        ],
      ] as const) {
        const res = await ctx().asService({ method: 'POST', url, payload });
        assertRefused(res, 422, path, `${url} ${what}`);
        assert.equal(res.json().error, 'BAR_IN_FUTURE', `${url} ${what}`);
      }
    }
    assert.equal(await signalsOf(ctx(), owner), 0, 'nothing of a refused batch is stored');
    assert.equal(await consensusOf(ctx(), owner), 0);
    assert.equal(await barsOf(ctx(), symbol), 0);
    for (const t of next) {
      const res = await ctx().asService({
        method: 'POST',
        url: '/api/signals/store',
        payload: signal({ owner, model_id: `next-${t.timeframe}`, ...t } as object),
      });
      assert.equal(res.statusCode, 204, `the next ${t.timeframe} bar may be written: ${res.body}`);
    }
  });

  test('DELETE /api/keys/<anything> is a 4xx with a message', async () => {
    const v = await createVendor(ctx());
    for (const id of [
      'abc',
      '%00',
      '%F0%9F%92%A9',
      '00000000-0000-0000-0000-00000000000g',
      randomUUID().toUpperCase(),
      `${randomUUID()}x`,
      "1'%20OR%20'1'='1",
      '%ED%A0%80',
      'a'.repeat(90),
    ]) {
      const res = await ctx().inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: v.auth });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${id}: ${res.statusCode} ${res.body}`);
      assert.ok(res.json().message.length > 0, id);
    }
  });

  test('/api/me for a signed-in user with no GitHub or Google identity is 403 with a message', async () => {
    const userId = randomUUID();
    await ctx().database.db.query('INSERT INTO auth.users (id, email) VALUES ($1, $2)', [userId, `${userId}@x.test`]);
    const token = await new SignJWT({ role: 'authenticated', aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const res = await ctx().inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().message, /GitHub or Google/);
  });
});
