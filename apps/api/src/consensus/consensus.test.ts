import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consensus, createVendor, describeEachBackend, registerModels, uniqueSlug } from '../test-helpers';

describeEachBackend('consensus endpoints', (ctx) => {
  test('POST /api/consensus/store stores it (204) and GET returns it to its owner', async () => {
    const owner = await registerModels(ctx(), uniqueSlug('own'));
    const res = await ctx().asService({ method: 'POST', url: '/api/consensus/store', payload: consensus(owner) });
    assert.equal(res.statusCode, 204);
    const got = await ctx().asService({ method: 'GET', url: `/api/consensus?owner=${owner}&symbol=EURUSD&tf=1m` });
    assert.equal(got.statusCode, 200);
    const [row] = got.json().data;
    assert.equal(row.decision, 'BUY');
    assert.equal(row.contributors.length, 2);
    assert.equal(row.late, false);
  });

  test('empty contributors, a bad weight and unknown keys are 400 naming each field', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/consensus/store',
      payload: { ...consensus('x'), contributors: [], extra: 1 },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      res
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
      ['contributors', 'extra'],
    );
    const weight = await ctx().asService({
      method: 'POST',
      url: '/api/consensus/store',
      payload: consensus('x', {
        contributors: [{ model_id: 'a', decision: 'BUY', confidence: 0.5, weight: -1 }],
      }),
    });
    assert.equal(weight.json().details[0].path, 'contributors.0.weight');
  });

  test('Idempotency-Key on /api/consensus/store: a replay is 204 marked replayed, another body 422', async () => {
    const owner = await registerModels(ctx(), uniqueSlug('own'));
    const key = uniqueSlug('consensus-key');
    const post = (payload: object) =>
      ctx().asService({ method: 'POST', url: '/api/consensus/store', headers: { 'idempotency-key': key }, payload });
    assert.equal((await post(consensus(owner))).statusCode, 204);
    const replay = await post(consensus(owner));
    assert.equal(replay.statusCode, 204);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const reuse = await post(consensus(owner, { confidence: 0.9 }));
    assert.equal(reuse.statusCode, 422);
    assert.equal(reuse.json().error, 'IDEMPOTENCY_KEY_REUSED');
    const rows = await ctx().database.db.query<{ c: number }>(
      'SELECT confidence::float8 AS c FROM ml.consensus_latest WHERE owner = $1',
      [owner],
    );
    assert.deepEqual(rows, [{ c: 0.7 }]);
  });

  test('GET /api/consensus without credentials is 401; a bad limit or timeframe is 400 naming it', async () => {
    assert.equal((await ctx().inject({ method: 'GET', url: '/api/consensus' })).statusCode, 401);
    for (const [query, path] of [
      ['limit=0', 'limit'],
      ['tf=2m', 'tf'],
      ['symbol=eurusd', 'symbol'],
    ]) {
      const res = await ctx().asService({ method: 'GET', url: `/api/consensus?${query}` });
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().details[0].path, path, query);
    }
  });

  test('after the bar closed a changed consensus is 409 SIGNAL_IMMUTABLE', async () => {
    const owner = await registerModels(ctx(), uniqueSlug('own'));
    await ctx().asService({ method: 'POST', url: '/api/consensus/store', payload: consensus(owner) });
    const c = ctx();
    c.clock.now = Date.parse('2026-01-05T12:10:00Z');
    try {
      const res = await c.asService({
        method: 'POST',
        url: '/api/consensus/store',
        payload: consensus(owner, { decision: 'SELL' }),
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error, 'SIGNAL_IMMUTABLE');
    } finally {
      c.clock.now = Date.parse('2026-01-05T12:00:30Z');
    }
  });

  test("a vendor key may store its own owner's consensus but not another's, and reads only its own", async () => {
    const a = await createVendor(ctx());
    await registerModels(ctx(), a.owner);
    const b = await createVendor(ctx());
    await registerModels(ctx(), b.owner);
    assert.equal(
      (
        await ctx().inject({
          method: 'POST',
          url: '/api/consensus/store',
          headers: a.auth,
          payload: consensus(a.owner),
        })
      ).statusCode,
      204,
    );
    const forbidden = await ctx().inject({
      method: 'POST',
      url: '/api/consensus/store',
      headers: a.auth,
      payload: consensus(b.owner),
    });
    assert.equal(forbidden.statusCode, 403);
    await ctx().asService({ method: 'POST', url: '/api/consensus/store', payload: consensus(b.owner) });
    const mine = await ctx().inject({ method: 'GET', url: '/api/consensus', headers: a.auth });
    assert.deepEqual(
      mine.json().data.map((r: { owner: string }) => r.owner),
      [a.owner],
    );
  });

  test("a consensus may list only its owner's registered models as contributors: otherwise a 403 naming it, nothing stored", async () => {
    const a = await createVendor(ctx());
    await registerModels(ctx(), a.owner);
    const b = await registerModels(ctx(), uniqueSlug('other'), ['theirs-001']);
    const cases = [
      // Another owner's model, a model nobody registered, and one good contributor next to a bad one.
      { model_id: 'theirs-001', decision: 'BUY', confidence: 0.5, weight: 1 },
      { model_id: 'nobody-001', decision: 'BUY', confidence: 0.5, weight: 1 },
    ];
    for (const bad of cases) {
      const contributors = [consensus(a.owner).contributors[0], bad];
      for (const send of [
        () =>
          ctx().inject({
            method: 'POST',
            url: '/api/consensus/store',
            headers: a.auth,
            payload: consensus(a.owner, { contributors }),
          }),
        () =>
          ctx().asService({
            method: 'POST',
            url: '/api/consensus/store',
            payload: consensus(a.owner, { contributors }),
          }),
      ]) {
        const res = await send();
        assert.equal(res.statusCode, 403, res.body);
        assert.match(res.json().message, new RegExp(`contributor "${bad.model_id}"`));
      }
      const batch = await ctx().asService({
        method: 'POST',
        url: '/api/consensus/batch',
        payload: { consensus: [consensus(a.owner, { contributors, symbol: 'GBPUSD' })] },
      });
      assert.equal(batch.statusCode, 403, batch.body);
      assert.equal(batch.json().details[0].path, 'consensus.0');
      assert.match(batch.json().message, new RegExp(`contributor "${bad.model_id}"`));
    }
    const stored = await ctx().database.db.query('SELECT 1 FROM ml.consensus_latest WHERE owner = $1', [a.owner]);
    assert.equal(stored.length, 0);
    assert.ok(b);
  });
});
