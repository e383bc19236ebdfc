// The errors every endpoint shares, endpoint by endpoint: no credentials (401), the wrong principal (403), and the
// contract's error body on each. Endpoint-specific errors live beside each feature's tests.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ERROR_CODES } from '@neuronetiq/contracts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createUser, createVendor, describeEachBackend, signal, uniqueSlug } from './test-helpers';

type Route = { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: object };

const bar = { symbol: 'EURUSD', timeframe: '5m', bar_ts: '2026-01-05T10:00:00Z', open: 1, high: 1, low: 1, close: 1 };
const consensus = {
  owner: 'someone',
  symbol: 'EURUSD',
  timeframe: '1m',
  bar_ts: '2026-01-05T12:00:00Z',
  decision: 'BUY',
  confidence: 0.5,
  contributors: [{ model_id: 'm', decision: 'BUY', confidence: 0.5, weight: 1 }],
};

/** Every endpoint that needs credentials, each with a body that would otherwise be valid. (GET of bars is public.) */
const authenticated: Route[] = [
  { method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars: [bar] } },
  { method: 'POST', url: '/api/marketdata/ohlcv/query', payload: { series: [{ symbol: 'EURUSD', tf: '5m' }] } },
  { method: 'POST', url: '/api/marketdata/import?symbol=EURUSD&tf=5m' },
  { method: 'POST', url: '/api/signals/store', payload: signal() },
  { method: 'POST', url: '/api/signals/batch', payload: { signals: [signal()] } },
  { method: 'GET', url: '/api/signals' },
  { method: 'POST', url: '/api/consensus/store', payload: consensus },
  { method: 'POST', url: '/api/consensus/batch', payload: { consensus: [consensus] } },
  { method: 'GET', url: '/api/consensus' },
  { method: 'POST', url: '/api/models', payload: { model_id: 'm', name: 'M' } },
  { method: 'GET', url: '/api/me' },
  { method: 'POST', url: '/api/keys', payload: { name: 'k' } },
  { method: 'GET', url: '/api/keys' },
  { method: 'DELETE', url: `/api/keys/${randomUUID()}` },
  { method: 'GET', url: '/api/admin/outbox' },
];

/** Endpoints of the service principal alone (the orchestrator, the cron, operators). */
const serviceOnly = authenticated.filter((r) =>
  ['/api/marketdata/ohlcv', '/api/marketdata/import', '/api/admin/outbox'].some((p) => r.url.split('?')[0] === p),
);

function assertErrorBody(res: LightMyRequestResponse, status: number, code: string, what: string) {
  assert.equal(res.statusCode, status, `${what}: ${res.body}`);
  const body = res.json();
  assert.equal(body.success, false, what);
  assert.equal(body.error, code, what);
  assert.ok(ERROR_CODES.includes(body.error), what);
  assert.equal(typeof body.message, 'string', what);
  assert.ok(body.message.length > 0, what);
  assert.equal(body.request_id, res.headers['x-request-id'], what);
  assert.equal(res.headers['x-contracts-version'], '0.16.4', what);
}

const withAuth = (r: Route, headers: Record<string, string>): InjectOptions => ({
  method: r.method,
  url: r.url,
  headers,
  ...(r.payload ? { payload: r.payload } : {}),
});

describeEachBackend('errors shared by every endpoint', (ctx) => {
  test('without credentials every non-public endpoint is 401 UNAUTHENTICATED with WWW-Authenticate', async () => {
    assert.equal(authenticated.length, 15);
    for (const r of authenticated) {
      const res = await ctx().inject(withAuth(r, {}));
      assertErrorBody(res, 401, 'UNAUTHENTICATED', `${r.method} ${r.url}`);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    }
  });

  test('malformed credentials are 401 on every endpoint, never treated as anonymous', async () => {
    const bad = [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer mp_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    ];
    for (const authorization of bad) {
      const publicReads: Route[] = [
        { method: 'GET', url: '/api/models' },
        { method: 'GET', url: '/api/marketdata/ohlcv?symbol=EURUSD&tf=5m' },
      ];
      for (const r of [...authenticated, ...publicReads]) {
        const res = await ctx().inject(withAuth(r, { authorization }));
        assertErrorBody(res, 401, 'UNAUTHENTICATED', `${authorization} → ${r.method} ${r.url}`);
      }
    }
  });

  test('a vendor key on a service-only endpoint is 403 FORBIDDEN saying the service key is needed', async () => {
    assert.equal(serviceOnly.length, 3);
    const v = await createVendor(ctx());
    for (const r of serviceOnly) {
      const res = await ctx().inject(withAuth(r, v.auth));
      assertErrorBody(res, 403, 'FORBIDDEN', `${r.method} ${r.url}`);
      assert.match(res.json().message, /service key/);
    }
  });

  test('a signed-in user (session) may read but not write signals or consensus: 403, nothing stored', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const me = (await ctx().inject({ method: 'GET', url: '/api/me', headers: user.auth })).json().data.owner;
    const writes: Route[] = [
      { method: 'POST', url: '/api/signals/store', payload: signal({ owner: me }) },
      { method: 'POST', url: '/api/signals/batch', payload: { signals: [signal({ owner: me })] } },
      { method: 'POST', url: '/api/consensus/store', payload: { ...consensus, owner: me } },
      { method: 'POST', url: '/api/consensus/batch', payload: { consensus: [{ ...consensus, owner: me }] } },
    ];
    for (const r of writes) {
      const res = await ctx().inject(withAuth(r, user.auth));
      assertErrorBody(res, 403, 'FORBIDDEN', `${r.method} ${r.url}`);
      assert.match(res.json().message, /service key or a vendor API key/);
    }
    const stored = await ctx().database.db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM ml.signals_latest WHERE owner = $1) + (SELECT count(*) FROM ml.consensus_latest WHERE owner = $1) AS n',
      [me],
    );
    assert.equal(stored[0]?.n, 0);
    const reads = await ctx().inject({ method: 'GET', url: '/api/signals', headers: user.auth });
    assert.equal(reads.statusCode, 200);
  });

  test('an X-Contracts-Version that is malformed or repeated is 400 naming the header, before any auth', async () => {
    for (const headers of [
      { 'x-contracts-version': 'latest' },
      { 'x-contracts-version': '1.16.4' },
      { 'x-contracts-version': ['0.16.4', '0.16.4'] },
    ]) {
      const res = await ctx().inject({ method: 'GET', url: '/api/signals', headers });
      assertErrorBody(res, 400, 'CONTRACT_VERSION_UNSUPPORTED', JSON.stringify(headers));
      assert.equal(res.json().details[0].path, 'headers.x-contracts-version');
    }
  });

  test('an unknown route is 404 NOT_FOUND in the error shape, pointing at /docs', async () => {
    const res = await ctx().inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    assertErrorBody(res, 404, 'NOT_FOUND', 'GET /api/nothing-here');
    assert.match(res.json().message, /\/api\/nothing-here; see \/docs/);
  });
});

describeEachBackend('errors of the keys and models endpoints', (ctx) => {
  test('POST /api/keys: an unknown scope, an empty name and unknown fields are 400 naming each', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: user.auth,
      payload: { name: ' ', scopes: ['signals:write', 'admin'], extra: 1 },
    });
    assertErrorBody(res, 400, 'VALIDATION_ERROR', 'POST /api/keys');
    assert.deepEqual(
      res
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
      ['extra', 'name', 'scopes.1'],
    );
  });

  test('GET /api/keys: the service key must name an owner (400); DELETE of a malformed id is 404', async () => {
    const list = await ctx().asService({ method: 'GET', url: '/api/keys' });
    assertErrorBody(list, 400, 'VALIDATION_ERROR', 'GET /api/keys');
    assert.equal(list.json().details[0].path, 'owner');
    const v = await createVendor(ctx());
    const listed = await ctx().asService({ method: 'GET', url: `/api/keys?owner=${v.owner}` });
    assert.deepEqual(
      listed.json().data.map((k: { id: string }) => k.id),
      [v.keyId],
    );
    const del = await ctx().asService({ method: 'DELETE', url: '/api/keys/not-a-key-id' });
    assertErrorBody(del, 404, 'NOT_FOUND', 'DELETE /api/keys/not-a-key-id');
  });

  test('POST /api/models: a bad model_id, visibility or owner is 400 naming the field', async () => {
    const v = await createVendor(ctx());
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: v.auth,
      payload: { model_id: 'Has Caps', name: 'x', visibility: 'secret', owner: 'NOPE' },
    });
    assertErrorBody(res, 400, 'VALIDATION_ERROR', 'POST /api/models');
    assert.deepEqual(
      res
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
      ['model_id', 'owner', 'visibility'],
    );
  });

  test('a key without models:write may not register models: 403 naming the scope', async () => {
    const owner = uniqueSlug('ro');
    const key = await ctx().asService({
      method: 'POST',
      url: '/api/keys',
      payload: { owner, name: 'signals only', scopes: ['signals:write'] },
    });
    const res = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: { authorization: `Bearer ${key.json().data.key}` },
      payload: { model_id: 'm-1', name: 'M' },
    });
    assertErrorBody(res, 403, 'FORBIDDEN', 'POST /api/models');
    assert.match(res.json().message, /models:write/);
  });

  test('GET /api/models: a bad limit or owner is 400 naming it', async () => {
    for (const [query, path] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['owner=UPPER', 'owner'],
      ['sort=name', 'sort'],
    ]) {
      const res = await ctx().inject({ method: 'GET', url: `/api/models?${query}` });
      assertErrorBody(res, 400, 'VALIDATION_ERROR', query as string);
      assert.equal(res.json().details[0].path, path, query);
    }
  });

  test('GET /api/signals and /api/consensus: from after to is 400 naming from', async () => {
    for (const url of ['/api/signals', '/api/consensus']) {
      const res = await ctx().asService({
        method: 'GET',
        url: `${url}?from=2026-01-05T12:00:00Z&to=2026-01-05T11:00:00Z`,
      });
      assertErrorBody(res, 400, 'VALIDATION_ERROR', url);
      assert.equal(res.json().details[0].path, 'from');
    }
  });
});
