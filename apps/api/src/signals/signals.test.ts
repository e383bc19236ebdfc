import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idempotencyKeyFor } from '@neuronetiq/contracts';
import { createVendor, describeEachBackend, signal, uniqueSlug } from '../test-helpers';

const countRows = async (ctx: ReturnType<Parameters<Parameters<typeof describeEachBackend>[1]>[0]>, owner: string) =>
  (
    await ctx.database.db.query<{ n: number }>('SELECT count(*) AS n FROM ml.signals_latest WHERE owner = $1', [owner])
  )[0]?.n;

describeEachBackend('POST /api/signals/store', (ctx) => {
  test('stores a valid signal with 204, its receive time, and late=false while its bar is open', async () => {
    const owner = uniqueSlug('own');
    const res = await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner }) });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['x-contracts-version'], '0.16.4');
    const rows = await ctx().database.db.query<Record<string, unknown>>(
      'SELECT decision, confidence::float8 AS confidence, meta, received_at, late FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    assert.deepEqual(rows, [
      { decision: 'BUY', confidence: 0.8, meta: { rsi: 28.1 }, received_at: '2026-01-05T12:00:30.000Z', late: false },
    ]);
  });

  test('a signal received after its bar closed is kept and flagged late', async () => {
    const owner = uniqueSlug('own');
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ owner, bar_ts: '2026-01-05T11:58:00Z' }),
    });
    assert.equal(res.statusCode, 204);
    const [row] = await ctx().database.db.query<{ late: boolean }>(
      'SELECT late FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    assert.equal(row?.late, true);
  });

  test('without credentials: 401 UNAUTHENTICATED and nothing stored', async () => {
    const owner = uniqueSlug('own');
    const res = await ctx().inject({ method: 'POST', url: '/api/signals/store', payload: signal({ owner }) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'UNAUTHENTICATED');
    assert.match(res.json().request_id, /.+/);
    assert.equal(await countRows(ctx(), owner), 0);
  });

  test('a wrong bearer token is 401, not a fall-through to anonymous', async () => {
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: { authorization: 'Bearer not-a-key' },
      payload: signal(),
    });
    assert.equal(res.statusCode, 401);
  });

  test('each bad field is named in details with a 400 VALIDATION_ERROR', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: { ...signal(), confidence: 1.5, symbol: 'eurusd', bar_ts: '2026-01-05T12:00:00', extra: true },
    });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error, 'VALIDATION_ERROR');
    assert.deepEqual(body.details.map((d: { path: string }) => d.path).sort(), [
      'bar_ts',
      'confidence',
      'extra',
      'symbol',
    ]);
  });

  test('a bar_ts off its timeframe boundary is rejected naming the bar start', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ timeframe: '5m', bar_ts: '2026-01-05T12:01:00Z' }),
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().details[0].message, /5m boundary.*2026-01-05T12:00:00.000Z/);
  });

  test('an unsupported X-Contracts-Version is 400 CONTRACT_VERSION_UNSUPPORTED naming the range', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'x-contracts-version': '0.15.0' },
      payload: signal(),
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'CONTRACT_VERSION_UNSUPPORTED');
    assert.match(res.json().message, /0\.16\.x/);
  });

  test('a compatible patch version (0.16.9) is accepted', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'x-contracts-version': '0.16.9' },
      payload: signal({ owner: uniqueSlug('own') }),
    });
    assert.equal(res.statusCode, 204);
  });

  test('rewriting a stored signal while its bar is open replaces it', async () => {
    const owner = uniqueSlug('own');
    await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner }) });
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ owner, decision: 'SELL', confidence: 0.6 }),
    });
    assert.equal(res.statusCode, 204);
    const rows = await ctx().database.db.query<{ decision: string }>(
      'SELECT decision FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    assert.deepEqual(rows, [{ decision: 'SELL' }]);
  });

  test('after the bar closed: a different decision is 409 SIGNAL_IMMUTABLE, the identical payload a no-op 204', async () => {
    const owner = uniqueSlug('own');
    const c = ctx();
    c.clock.now = Date.parse('2026-01-05T12:00:30Z');
    assert.equal(
      (await c.asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner }) })).statusCode,
      204,
    );
    c.clock.now = Date.parse('2026-01-05T12:05:00Z');
    try {
      const changed = await c.asService({
        method: 'POST',
        url: '/api/signals/store',
        payload: signal({ owner, decision: 'SELL' }),
      });
      assert.equal(changed.statusCode, 409);
      assert.equal(changed.json().error, 'SIGNAL_IMMUTABLE');
      const same = await c.asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner }) });
      assert.equal(same.statusCode, 204);
      const rows = await c.database.db.query<{ decision: string; late: boolean }>(
        'SELECT decision, late FROM ml.signals_latest WHERE owner = $1',
        [owner],
      );
      assert.deepEqual(rows, [{ decision: 'BUY', late: false }]);
    } finally {
      c.clock.now = Date.parse('2026-01-05T12:00:30Z');
    }
  });
});

describeEachBackend('Idempotency-Key on /api/signals/store', (ctx) => {
  test('the same key and body replays the first response', async () => {
    const s = signal({ owner: uniqueSlug('own') });
    const key = idempotencyKeyFor({ ...s, bar_ts: new Date(s.bar_ts).toISOString() });
    const first = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'idempotency-key': key },
      payload: s,
    });
    const second = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'idempotency-key': key },
      payload: s,
    });
    assert.equal(first.statusCode, 204);
    assert.equal(second.statusCode, 204);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.match(await ctx().app.apiMetrics.registry.metrics(), /api_idempotent_replays_total [1-9]/);
  });

  test('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const owner = uniqueSlug('own');
    const key = uniqueSlug('key');
    await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'idempotency-key': key },
      payload: signal({ owner }),
    });
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'idempotency-key': key },
      payload: signal({ owner, decision: 'SELL' }),
    });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error, 'IDEMPOTENCY_KEY_REUSED');
    const rows = await ctx().database.db.query<{ decision: string }>(
      'SELECT decision FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    assert.deepEqual(rows, [{ decision: 'BUY' }]);
  });

  test('50 concurrent identical requests store exactly one row and all succeed or report in-flight', async () => {
    const owner = uniqueSlug('own');
    const s = signal({ owner });
    const key = `${owner}:test-model:EURUSD:1m:x`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        ctx().asService({ method: 'POST', url: '/api/signals/store', headers: { 'idempotency-key': key }, payload: s }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    assert.ok(
      statuses.every((st) => st === 204 || st === 409),
      `statuses: ${statuses.join(',')}`,
    );
    assert.ok(statuses.includes(204));
    assert.equal(await countRows(ctx(), owner), 1);
    const records = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*) AS n FROM app.idempotency_keys WHERE key = $1',
      [key],
    );
    assert.equal(records[0]?.n, 1);
  });

  test('a request whose key is held by an in-flight request is 409 IDEMPOTENCY_KEY_IN_FLIGHT', async (t) => {
    if (ctx().backend === 'pglite') {
      t.skip('PGlite has one backend session, so another connection cannot hold the lock while this one runs');
      return;
    }
    const key = uniqueSlug('inflight');
    const session = await ctx().database.db.session();
    try {
      await session.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', ['service', key]);
      const res = await ctx().asService({
        method: 'POST',
        url: '/api/signals/store',
        headers: { 'idempotency-key': key },
        payload: signal({ owner: uniqueSlug('own') }),
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error, 'IDEMPOTENCY_KEY_IN_FLIGHT');
      assert.equal(res.headers['retry-after'], '1');
    } finally {
      await session.query('SELECT pg_advisory_unlock_all()');
      session.release();
    }
  });

  test('on /api/signals/batch a replay returns the first per-item answer unchanged; another body is 422', async () => {
    const owner = uniqueSlug('own');
    const key = uniqueSlug('batch-key');
    const signals = [signal({ owner, model_id: 'm-a' }), signal({ owner, model_id: 'm-b' })];
    const post = (payload: object) =>
      ctx().asService({ method: 'POST', url: '/api/signals/batch', headers: { 'idempotency-key': key }, payload });
    const first = await post({ signals });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(
      first.json().results.map((r: { status: string }) => r.status),
      ['stored', 'stored'],
    );
    const replay = await post({ signals });
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    // Without the key the same batch would now say "unchanged": the replay is the stored first answer.
    assert.deepEqual(replay.json(), first.json());
    const reuse = await post({ signals: [signal({ owner, model_id: 'm-c' })] });
    assert.equal(reuse.statusCode, 422);
    assert.equal(reuse.json().error, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await countRows(ctx(), owner), 2);
  });

  test('the same key for two different principals is two different requests', async () => {
    const a = await createVendor(ctx());
    const key = uniqueSlug('per-principal');
    const first = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'idempotency-key': key },
      payload: signal({ owner: a.owner, model_id: a.modelId }),
    });
    assert.equal(first.statusCode, 204);
    const second = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: { ...a.auth, 'idempotency-key': key },
      payload: signal({ owner: a.owner, model_id: a.modelId, decision: 'SELL' }),
    });
    assert.equal(second.statusCode, 204, second.body);
    assert.equal(second.headers['idempotent-replayed'], undefined);
  });

  test('a malformed Idempotency-Key header is 400 naming the header', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'idempotency-key': 'has spaces in it' },
      payload: signal(),
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().details[0].path, 'headers.idempotency-key');
  });
});

describeEachBackend('vendor API keys writing signals', (ctx) => {
  test('a vendor key writes its own registered model: 204', async () => {
    const v = await createVendor(ctx());
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: v.auth,
      payload: signal({ owner: v.owner, model_id: v.modelId }),
    });
    assert.equal(res.statusCode, 204);
  });

  test('a vendor key writing for another owner is 403 naming both owners, nothing stored', async () => {
    const v = await createVendor(ctx());
    const other = uniqueSlug('victim');
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: v.auth,
      payload: signal({ owner: other, model_id: v.modelId }),
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.json().message, new RegExp(`"${v.owner}".*"${other}"`));
    assert.equal(await countRows(ctx(), other), 0);
  });

  test('a vendor key writing for an unregistered model is 403 saying how to register it', async () => {
    const v = await createVendor(ctx());
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: v.auth,
      payload: signal({ owner: v.owner, model_id: 'not-registered' }),
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.json().message, /Model "not-registered" is not registered to owner/);
    assert.equal(await countRows(ctx(), v.owner), 0);
  });

  test('a revoked key is refused with 401', async () => {
    const v = await createVendor(ctx());
    const del = await ctx().asService({ method: 'DELETE', url: `/api/keys/${v.keyId}` });
    assert.equal(del.statusCode, 200);
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: v.auth,
      payload: signal({ owner: v.owner, model_id: v.modelId }),
    });
    assert.equal(res.statusCode, 401);
  });

  test('a key without signals:write is 403', async () => {
    const owner = uniqueSlug('ro');
    const key = await ctx().asService({
      method: 'POST',
      url: '/api/keys',
      payload: { owner, name: 'read only', scopes: ['signals:read'] },
    });
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/store',
      headers: { authorization: `Bearer ${key.json().data.key}` },
      payload: signal({ owner }),
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.json().message, /signals:write/);
  });
});

describeEachBackend('POST /api/signals/batch', (ctx) => {
  test('a bad or duplicate item refuses the whole batch, naming each by index; nothing of it is stored', async () => {
    const owner = uniqueSlug('own');
    const signals = [
      signal({ owner, model_id: 'm-a' }),
      { ...signal({ owner, model_id: 'm-b' }), confidence: -1 },
      signal({ owner, model_id: 'm-c', decision: 'SELL' }),
      signal({ owner, model_id: 'm-a' }),
    ];
    const res = await ctx().asService({ method: 'POST', url: '/api/signals/batch', payload: { signals } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error, 'VALIDATION_ERROR');
    assert.deepEqual(
      body.details.map((d: { path: string }) => d.path),
      ['signals.1.confidence', 'signals.3'],
    );
    assert.match(body.details[1].message, /same model, series and bar as signals.0/);
    assert.equal(await countRows(ctx(), owner), 0);
  });

  test('a re-sent batch reports unchanged, and changed values after the bar closed are rejected as immutable', async () => {
    const owner = uniqueSlug('own');
    const signals = [signal({ owner, model_id: 'm-a' }), signal({ owner, model_id: 'm-b' })];
    await ctx().asService({ method: 'POST', url: '/api/signals/batch', payload: { signals } });
    const again = await ctx().asService({ method: 'POST', url: '/api/signals/batch', payload: { signals } });
    assert.deepEqual(
      again.json().results.map((r: { status: string }) => r.status),
      ['unchanged', 'unchanged'],
    );
    const c = ctx();
    c.clock.now = Date.parse('2026-01-05T13:00:00Z');
    try {
      const changed = await c.asService({
        method: 'POST',
        url: '/api/signals/batch',
        payload: { signals: [signals[0], { ...signals[1], decision: 'SELL' }] },
      });
      assert.deepEqual(
        changed.json().results.map((r: { status: string; error?: string }) => r.error ?? r.status),
        ['unchanged', 'SIGNAL_IMMUTABLE'],
      );
    } finally {
      c.clock.now = Date.parse('2026-01-05T12:00:30Z');
    }
  });

  test('1,000 signals are stored in one request', async () => {
    const owner = uniqueSlug('own');
    const signals = Array.from({ length: 1000 }, (_, i) =>
      signal({ owner, model_id: `m-${i % 10}`, symbol: `S${Math.floor(i / 10)}` }),
    );
    const res = await ctx().asService({ method: 'POST', url: '/api/signals/batch', payload: { signals } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().stored, 1000);
    assert.equal(await countRows(ctx(), owner), 1000);
  });

  test('1,001 signals are refused whole with 400 saying to split the batch', async () => {
    const signals = Array.from({ length: 1001 }, () => signal());
    const res = await ctx().asService({ method: 'POST', url: '/api/signals/batch', payload: { signals } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /at most 1000/);
  });

  test('a vendor batch with items of other owners or unregistered models is 403 naming each; none is stored', async () => {
    const v = await createVendor(ctx());
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/signals/batch',
      headers: v.auth,
      payload: {
        signals: [
          signal({ owner: v.owner, model_id: v.modelId }),
          signal({ owner: 'someone-else', model_id: v.modelId }),
          signal({ owner: v.owner, model_id: 'unregistered' }),
        ],
      },
    });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(
      res.json().details.map((d: { path: string }) => d.path),
      ['signals.1', 'signals.2'],
    );
    assert.equal(await countRows(ctx(), v.owner), 0);
  });
});

describeEachBackend('GET /api/signals', (ctx) => {
  test('a vendor reads only its own signals; the service filters by owner', async () => {
    const a = await createVendor(ctx());
    const b = await createVendor(ctx());
    for (const v of [a, b]) {
      const res = await ctx().inject({
        method: 'POST',
        url: '/api/signals/store',
        headers: v.auth,
        payload: signal({ owner: v.owner, model_id: v.modelId }),
      });
      assert.equal(res.statusCode, 204);
    }
    const mine = await ctx().inject({ method: 'GET', url: '/api/signals', headers: a.auth });
    assert.equal(mine.statusCode, 200);
    assert.deepEqual(
      mine.json().data.map((s: { owner: string }) => s.owner),
      [a.owner],
    );
    const theirs = await ctx().inject({ method: 'GET', url: `/api/signals?owner=${b.owner}`, headers: a.auth });
    assert.equal(theirs.statusCode, 403);
    const service = await ctx().asService({ method: 'GET', url: `/api/signals?owner=${b.owner}` });
    assert.deepEqual(
      service.json().data.map((s: { owner: string }) => s.owner),
      [b.owner],
    );
  });

  test('filters by symbol, timeframe, model and time range; newest first; limit bounded', async () => {
    const owner = uniqueSlug('own');
    const bars = ['2026-01-05T11:57:00Z', '2026-01-05T11:58:00Z', '2026-01-05T11:59:00Z'];
    for (const bar_ts of bars) {
      await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner, bar_ts }) });
    }
    const res = await ctx().asService({
      method: 'GET',
      url: `/api/signals?owner=${owner}&symbol=EURUSD&tf=1m&model_id=test-model&from=2026-01-05T11:58:00Z&limit=5`,
    });
    assert.deepEqual(
      res.json().data.map((s: { bar_ts: string }) => s.bar_ts),
      ['2026-01-05T11:59:00.000Z', '2026-01-05T11:58:00.000Z'],
    );
    const bad = await ctx().asService({ method: 'GET', url: '/api/signals?limit=0' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().details[0].path, 'limit');
  });
});
