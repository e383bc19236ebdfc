// Row-level security across two owners, through the api: owner A, signed in with a session or using its vendor key,
// reads none of owner B's rows from any table the api serves, and cannot change them. (packages/db/src/rls.test.ts
// proves the same straight from SQL.) Reads of another owner by a user are not refused by handler code: they reach the
// database as A and RLS answers with nothing, which is what these tests pin down.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
import {
  type ApiTestContext,
  createUser,
  describeEachBackend,
  SERVICE_KEY,
  signal,
  type TestUser,
  uniqueSlug,
} from './test-helpers';

interface Owner {
  owner: string;
  session: TestUser;
  key: { authorization: string };
  keyId: string;
  publicModel: string;
  privateModel: string;
}

const BAR = '2026-01-05T12:00:00Z';
const NEXT_BAR = '2026-01-05T12:01:00Z';

async function ok(res: Promise<{ statusCode: number; body: string }>, status: number) {
  const r = await res;
  assert.equal(r.statusCode, status, r.body);
  return r;
}

/** A GitHub user with a public and a private model, a vendor key, a signal per model, a consensus. */
async function createOwner(ctx: ApiTestContext, symbol: string): Promise<Owner> {
  const login = uniqueSlug('gh');
  const session = await createUser(ctx, { provider: 'github', login });
  const me = await ok(ctx.inject({ method: 'GET', url: '/api/me', headers: session.auth }), 200);
  const owner = JSON.parse(me.body).data.owner as string;
  const publicModel = uniqueSlug('pub');
  const privateModel = uniqueSlug('priv');
  for (const [model_id, visibility] of [
    [publicModel, 'public'],
    [privateModel, 'private'],
  ]) {
    await ok(
      ctx.inject({
        method: 'POST',
        url: '/api/models',
        headers: session.auth,
        payload: { model_id, name: model_id, visibility },
      }),
      201,
    );
  }
  const created = await ok(
    ctx.inject({ method: 'POST', url: '/api/keys', headers: session.auth, payload: { name: 'ci' } }),
    201,
  );
  const { key, id } = JSON.parse(created.body).data as { key: string; id: string };
  const auth = { authorization: `Bearer ${key}` };
  const batch = await ok(
    ctx.inject({
      method: 'POST',
      url: '/api/signals/batch',
      headers: auth,
      payload: {
        signals: [publicModel, privateModel].map((model_id) => signal({ owner, model_id, symbol, bar_ts: BAR })),
      },
    }),
    200,
  );
  assert.equal(JSON.parse(batch.body).stored, 2, batch.body);
  await ok(
    ctx.inject({
      method: 'POST',
      url: '/api/consensus/store',
      headers: auth,
      payload: {
        owner,
        symbol,
        timeframe: '1m',
        bar_ts: BAR,
        decision: 'BUY',
        confidence: 0.8,
        contributors: [{ model_id: publicModel, decision: 'BUY', confidence: 0.8, weight: 1 }],
      },
    }),
    204,
  );
  return { owner, session, key: auth, keyId: id, publicModel, privateModel };
}

describeEachBackend('row-level security across two owners, through the api', (ctx) => {
  const symbol = `R${randomBytes(4).toString('hex').toUpperCase()}`;
  let a: Owner;
  let b: Owner;

  before(async () => {
    a = await createOwner(ctx(), symbol);
    b = await createOwner(ctx(), symbol);
    // The bars closed (the database's clock is later than the test api's): storing the signals' entry and exit bars
    // scores both owners' signals.
    await ok(
      ctx().asService({
        method: 'POST',
        url: '/api/marketdata/ohlcv',
        payload: {
          bars: [
            { symbol, timeframe: '1m', bar_ts: BAR, open: 1.1, high: 1.2, low: 1.0, close: 1.15, volume: 1 },
            { symbol, timeframe: '1m', bar_ts: NEXT_BAR, open: 1.15, high: 1.2, low: 1.1, close: 1.18, volume: 1 },
          ],
        },
      }),
      200,
    );
  });

  const get = async (url: string, headers: Record<string, string>) => {
    const res = await ok(ctx().inject({ method: 'GET', url, headers }), 200);
    return JSON.parse(res.body).data as Record<string, unknown>[];
  };
  const owners = (rows: Record<string, unknown>[]) => [...new Set(rows.map((r) => r.owner))].sort();

  test('ml.signals_latest: A (session or key) reads only its own signals; asking for B returns none', async () => {
    for (const auth of [a.session.auth, a.key]) {
      assert.deepEqual(owners(await get(`/api/signals?symbol=${symbol}`, auth)), [a.owner]);
    }
    assert.deepEqual(await get(`/api/signals?owner=${b.owner}`, a.session.auth), []);
    const service = await get(`/api/signals?symbol=${symbol}`, { authorization: `Bearer ${SERVICE_KEY}` });
    assert.deepEqual(owners(service), [a.owner, b.owner].sort(), 'both owners have signals to hide');
  });

  test('ml.consensus_latest: A reads only its own consensus; asking for B returns none', async () => {
    for (const auth of [a.session.auth, a.key]) {
      assert.deepEqual(owners(await get(`/api/consensus?symbol=${symbol}`, auth)), [a.owner]);
    }
    assert.deepEqual(await get(`/api/consensus?owner=${b.owner}`, a.session.auth), []);
  });

  test("ml.models: A sees its own private model and B's public one, never B's private one", async () => {
    const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.model_id).sort();
    assert.deepEqual(ids(await get(`/api/models?owner=${b.owner}`, a.session.auth)), [b.publicModel]);
    assert.deepEqual(ids(await get(`/api/models?owner=${b.owner}`, a.key)), [b.publicModel]);
    assert.deepEqual(
      ids(await get(`/api/models?owner=${a.owner}`, a.session.auth)),
      [a.privateModel, a.publicModel].sort(),
    );
  });

  test("ml.signal_scores: A reads B's track record only for B's public model", async () => {
    const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.model_id).sort();
    assert.deepEqual(ids(await get(`/api/performance?owner=${b.owner}`, a.session.auth)), [b.publicModel]);
    assert.deepEqual(
      ids(await get(`/api/performance?owner=${a.owner}`, a.key)),
      [a.privateModel, a.publicModel].sort(),
    );
  });

  test("app.api_keys: A lists only its own keys, may not list B's, and cannot revoke B's key", async () => {
    const mine = await get('/api/keys', a.session.auth);
    assert.deepEqual(
      mine.map((k) => k.id),
      [a.keyId],
    );
    const theirs = await ctx().inject({ method: 'GET', url: `/api/keys?owner=${b.owner}`, headers: a.session.auth });
    assert.equal(theirs.statusCode, 403);
    // The session finds no such key of its owner; A's key lacks keys:manage and may revoke only itself.
    for (const [auth, status] of [
      [a.session.auth, 404],
      [a.key, 403],
    ] as const) {
      const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${b.keyId}`, headers: auth });
      assert.equal(revoke.statusCode, status, revoke.body);
    }
    assert.equal((await ctx().inject({ method: 'GET', url: '/api/me', headers: b.key })).statusCode, 200);
  });

  test('app.users: /api/me answers with the caller’s own owner, whoever else exists', async () => {
    const me = await ok(ctx().inject({ method: 'GET', url: '/api/me', headers: a.session.auth }), 200);
    assert.equal(JSON.parse(me.body).data.owner, a.owner);
    assert.notEqual(a.owner, b.owner);
  });

  test("writes: A can neither store signals or consensus under B's owner nor register a model for B", async () => {
    const forB = signal({ owner: b.owner, model_id: b.publicModel, symbol, bar_ts: BAR, decision: 'SELL' });
    const consensusForB = {
      owner: b.owner,
      symbol,
      timeframe: '1m',
      bar_ts: BAR,
      decision: 'SELL',
      confidence: 0.9,
      contributors: [{ model_id: b.publicModel, decision: 'SELL', confidence: 0.9, weight: 1 }],
    };
    for (const auth of [a.session.auth, a.key]) {
      const res = await ctx().inject({ method: 'POST', url: '/api/signals/store', headers: auth, payload: forB });
      assert.equal(res.statusCode, 403, res.body);
      const c = await ctx().inject({
        method: 'POST',
        url: '/api/consensus/store',
        headers: auth,
        payload: consensusForB,
      });
      assert.equal(c.statusCode, 403, c.body);
    }
    const model = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: a.key,
      payload: { owner: b.owner, model_id: 'hijack', name: 'H' },
    });
    assert.equal(model.statusCode, 403);
    const rows = await ctx().database.db.query<{ decision: string }>(
      'SELECT decision FROM ml.signals_latest WHERE owner = $1 AND model_id = $2',
      [b.owner, b.publicModel],
    );
    assert.deepEqual(rows, [{ decision: 'BUY' }]);
    const consensus = await ctx().database.db.query<{ decision: string }>(
      'SELECT decision FROM ml.consensus_latest WHERE owner = $1',
      [b.owner],
    );
    assert.deepEqual(consensus, [{ decision: 'BUY' }]);
  });

  test("app.idempotency_keys: B reusing A's Idempotency-Key is neither replayed A's answer nor refused as reuse", async () => {
    const key = uniqueSlug('shared-key');
    const bar_ts = '2026-01-05T12:00:00Z';
    const symbolB = `${symbol}B`;
    const first = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: { ...a.key, 'idempotency-key': key },
      payload: signal({ owner: a.owner, model_id: a.publicModel, symbol: symbolB, bar_ts }),
    });
    assert.equal(first.statusCode, 204);
    const second = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: { ...b.key, 'idempotency-key': key },
      payload: signal({ owner: b.owner, model_id: b.publicModel, symbol: symbolB, bar_ts, decision: 'SELL' }),
    });
    assert.equal(second.statusCode, 204, second.body);
    assert.equal(second.headers['idempotent-replayed'], undefined);
    const stored = await ctx().database.db.query<{ owner: string; decision: string }>(
      'SELECT owner, decision FROM ml.signals_latest WHERE symbol = $1 ORDER BY decision',
      [symbolB],
    );
    assert.deepEqual(stored, [
      { owner: a.owner, decision: 'BUY' },
      { owner: b.owner, decision: 'SELL' },
    ]);
  });

  test('ml.ingest_outbox: neither owner may read the outbox (service only)', async () => {
    for (const auth of [a.session.auth, a.key, b.session.auth]) {
      const res = await ctx().inject({ method: 'GET', url: '/api/admin/outbox', headers: auth });
      assert.equal(res.statusCode, 403);
    }
  });

  test('market.ohlcv is shared market data: both owners read the same bars, neither may write them', async () => {
    const url = `/api/marketdata/ohlcv?symbol=${symbol}&tf=1m`;
    const seenByA = await get(url, a.session.auth);
    assert.equal(seenByA.length, 2);
    assert.deepEqual(await get(url, b.key), seenByA);
    const write = await ctx().inject({
      method: 'POST',
      url: '/api/marketdata/ohlcv',
      headers: a.session.auth,
      payload: { bars: [] },
    });
    assert.equal(write.statusCode, 403);
  });
});
