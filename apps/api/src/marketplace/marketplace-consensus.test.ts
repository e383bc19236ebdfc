// GET /api/marketplace/consensus: one series' consensus as the caller may read it. Anonymous callers and signed-in
// non-subscribers get only rows of public models older than the platform's delay (never a fresh one, never one with a
// private contributor); the owner and a subscriber of every contributor read them live.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  type ApiTestContext,
  atTime,
  CONTRIBUTOR_MODELS,
  consensus,
  createUser,
  describeEachBackend,
  registerModels,
} from '../test-helpers';

const OLD_BAR = '2026-01-05T11:58:00Z';
const FRESH_BAR = '2026-01-05T12:00:00Z';

async function signedIn(c: ApiTestContext) {
  const login = `u${randomBytes(4).toString('hex')}`;
  const user = await createUser(c, { provider: 'github', login });
  const me = await c.inject({ method: 'GET', url: '/api/me', headers: user.auth });
  assert.equal(me.statusCode, 200, me.body);
  return { ...user, owner: me.json().data.owner as string };
}

/**
 * A vendor whose two public models made a consensus on `symbol` for an old bar (received long ago) and a fresh bar
 * (received now, by the database's clock), and on `privateSymbol` (old) with a private model among the contributors.
 */
async function vendorWithConsensus(c: ApiTestContext) {
  const vendor = await signedIn(c);
  await registerModels(c, vendor.owner);
  const secret = await c.asService({
    method: 'POST',
    url: '/api/models',
    payload: { owner: vendor.owner, model_id: 'secret-model', name: 'Secret', visibility: 'private' },
  });
  assert.equal(secret.statusCode, 201, secret.body);
  const symbol = `C${randomBytes(3).toString('hex').toUpperCase()}`;
  const privateSymbol = `P${randomBytes(3).toString('hex').toUpperCase()}`;
  const store = async (payload: object, nowIso: string) => {
    const res = await atTime(c, Date.parse(nowIso), () =>
      c.asService({ method: 'POST', url: '/api/consensus/store', payload }),
    );
    assert.equal(res.statusCode, 204, res.body);
  };
  await store(consensus(vendor.owner, { symbol, bar_ts: OLD_BAR, decision: 'SELL' }), '2026-01-05T11:58:30Z');
  await store(consensus(vendor.owner, { symbol, bar_ts: FRESH_BAR }), '2026-01-05T12:00:30Z');
  await store(
    consensus(vendor.owner, {
      symbol: privateSymbol,
      bar_ts: OLD_BAR,
      contributors: [
        { model_id: CONTRIBUTOR_MODELS[0], decision: 'BUY', confidence: 0.8, weight: 0.5 },
        { model_id: 'secret-model', decision: 'BUY', confidence: 0.9, weight: 0.5 },
      ],
    }),
    '2026-01-05T11:58:30Z',
  );
  // The api's clock is pinned in January 2026, long before the database's now: every row is past the delay already.
  // Make the fresh bar's row fresh for the database, so that the delay applies to it.
  await c.database.db.query('UPDATE ml.consensus_latest SET received_at = now() WHERE symbol = $1 AND bar_ts = $2', [
    symbol,
    FRESH_BAR,
  ]);
  return { vendor, symbol, privateSymbol };
}

describeEachBackend('public consensus (GET /api/marketplace/consensus)', (ctx) => {
  const read = async (symbol: string, headers: Record<string, string> = {}) => {
    const res = await ctx().inject({
      method: 'GET',
      url: `/api/marketplace/consensus?symbol=${symbol}&tf=1m`,
      headers,
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as {
      data: { bar_ts: string; live: boolean; decision: string; owner: string }[];
      delay_seconds: number;
    };
    return { rows: body.data.map((r) => `${r.bar_ts}:${r.live ? 'live' : 'delayed'}`), body };
  };
  const iso = (s: string) => new Date(s).toISOString();

  test('an anonymous visitor sees the delayed consensus, never the fresh one nor one with a private model', async () => {
    const { symbol, privateSymbol, vendor } = await vendorWithConsensus(ctx());
    const anon = await read(symbol);
    assert.deepEqual(anon.rows, [`${iso(OLD_BAR)}:delayed`]);
    assert.equal(anon.body.delay_seconds, 86_400);
    assert.equal(anon.body.data[0]?.decision, 'SELL');
    assert.equal(anon.body.data[0]?.owner, vendor.owner);
    assert.deepEqual((await read(privateSymbol)).rows, [], 'a private contributor hides the row whatever its age');
  });

  test('a signed-in non-subscriber sees what anyone sees; the owner reads every row live', async () => {
    const { symbol, privateSymbol, vendor } = await vendorWithConsensus(ctx());
    const other = await signedIn(ctx());
    assert.deepEqual((await read(symbol, other.auth)).rows, [`${iso(OLD_BAR)}:delayed`]);
    assert.deepEqual((await read(privateSymbol, other.auth)).rows, []);
    assert.deepEqual((await read(symbol, vendor.auth)).rows, [`${iso(FRESH_BAR)}:live`, `${iso(OLD_BAR)}:live`]);
    assert.deepEqual((await read(privateSymbol, vendor.auth)).rows, [`${iso(OLD_BAR)}:live`]);
  });

  test('a subscriber of every contributing model reads the consensus live; of one of two, delayed', async () => {
    const { symbol, vendor } = await vendorWithConsensus(ctx());
    const fan = await signedIn(ctx());
    const subscribe = async (model_id: string) => {
      const res = await ctx().inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: fan.auth,
        payload: { owner: vendor.owner, model_id },
      });
      assert.equal(res.statusCode, 201, res.body);
    };
    await subscribe(CONTRIBUTOR_MODELS[0]);
    assert.deepEqual((await read(symbol, fan.auth)).rows, [`${iso(OLD_BAR)}:delayed`], 'one of two: delayed');
    await subscribe(CONTRIBUTOR_MODELS[1]);
    assert.deepEqual((await read(symbol, fan.auth)).rows, [`${iso(FRESH_BAR)}:live`, `${iso(OLD_BAR)}:live`]);
    assert.deepEqual((await read(symbol)).rows, [`${iso(OLD_BAR)}:delayed`], 'anonymous still delayed');
  });

  test('bad queries are 400s naming each bad field', async () => {
    for (const [query, fields] of [
      ['tf=1m', ['symbol']],
      ['symbol=EURUSD', ['tf']],
      ['symbol=eur%20usd&tf=2m', ['symbol', 'tf']],
      ['symbol=EURUSD&tf=1m&limit=0', ['limit']],
      ['symbol=EURUSD&tf=1m&limit=501', ['limit']],
      ['symbol=EURUSD&tf=1m&owner=Not%20A%20Slug', ['owner']],
      ['symbol=EURUSD&tf=1m&from=yesterday', ['from']],
      ['symbol=EURUSD&tf=1m&extra=1', []],
    ] as const) {
      const res = await ctx().inject({ method: 'GET', url: `/api/marketplace/consensus?${query}` });
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      const paths = (res.json().details as { path: string }[]).map((d) => d.path);
      for (const f of fields) assert.ok(paths.includes(f), `${query} names ${f}: ${res.body}`);
    }
  });

  test('the route is in the OpenAPI document with its query and response schemas', async () => {
    const res = await ctx().inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const op = res.json().paths['/api/marketplace/consensus']?.get;
    assert.ok(op, 'documented');
    const names = (op.parameters as { name: string; required?: boolean }[]).map(
      (p) => `${p.name}${p.required ? '*' : ''}`,
    );
    for (const n of ['symbol*', 'tf*', 'owner', 'from', 'to', 'limit'])
      assert.ok(names.includes(n), `${n} in ${names}`);
    const schema = op.responses['200'].content['application/json'].schema;
    assert.ok(JSON.stringify(schema).includes('delay_seconds'), 'the response documents delay_seconds');
  });
});
