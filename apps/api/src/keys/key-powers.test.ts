import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_API_KEY_SCOPES, MAX_ACTIVE_API_KEYS } from '@neuronetiq/contracts';
import { type ApiTestContext, createUser, describeEachBackend, type TestUser, uniqueSlug } from '../test-helpers';

type Auth = { authorization: string };

async function newKey(ctx: ApiTestContext, auth: Auth, payload: Record<string, unknown> = {}) {
  const res = await ctx.inject({ method: 'POST', url: '/api/keys', headers: auth, payload: { name: 'k', ...payload } });
  assert.equal(res.statusCode, 201, res.body);
  const data = res.json().data as { id: string; key: string; scopes: string[]; expires_at: string | null };
  return { ...data, auth: { authorization: `Bearer ${data.key}` } };
}

async function signedIn(ctx: ApiTestContext): Promise<TestUser & { owner: string }> {
  const login = uniqueSlug('kp');
  return { ...(await createUser(ctx, { provider: 'github', login })), owner: login };
}

describeEachBackend('key management powers', (ctx) => {
  test('a key is created without keys:manage unless asked; a signals:read key cannot manage its owner’s keys', async () => {
    const user = await signedIn(ctx());
    const plain = await newKey(ctx(), user.auth);
    assert.deepEqual(plain.scopes, [...DEFAULT_API_KEY_SCOPES]);
    const reader = await newKey(ctx(), user.auth, { scopes: ['signals:read'] });

    const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${plain.id}`, headers: reader.auth });
    assert.equal(revoke.statusCode, 403, revoke.body);
    assert.match(revoke.json().message, /keys:manage/);
    const create = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: reader.auth,
      payload: { name: 'x' },
    });
    assert.equal(create.statusCode, 403, create.body);
    assert.match(create.json().message, /keys:manage/);
    const list = await ctx().inject({ method: 'GET', url: '/api/keys', headers: reader.auth });
    assert.equal(list.statusCode, 403, list.body);
    const [row] = await ctx().database.db.query<{ revoked_at: string | null }>(
      'SELECT revoked_at FROM app.api_keys WHERE id = $1',
      [plain.id],
    );
    assert.equal(row?.revoked_at, null, 'the other key is still live');

    // Any key may revoke itself (mp logout).
    const self = await ctx().inject({ method: 'DELETE', url: `/api/keys/${reader.id}`, headers: reader.auth });
    assert.equal(self.statusCode, 200, self.body);
  });

  test('a keys:manage key creates (within its own scopes), lists and revokes its owner’s keys', async () => {
    const user = await signedIn(ctx());
    const manager = await newKey(ctx(), user.auth, { scopes: ['keys:manage', 'signals:read'] });
    const made = await newKey(ctx(), manager.auth, { scopes: ['signals:read'] });
    const list = await ctx().inject({ method: 'GET', url: '/api/keys', headers: manager.auth });
    assert.equal(list.statusCode, 200, list.body);
    assert.ok(list.json().data.some((k: { id: string }) => k.id === made.id));
    const beyond = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: manager.auth,
      payload: { name: 'wider', scopes: ['signals:write'] },
    });
    assert.equal(beyond.statusCode, 403, beyond.body);
    assert.match(beyond.json().message, /signals:write/);
    const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${made.id}`, headers: manager.auth });
    assert.equal(revoke.statusCode, 200, revoke.body);
    // Another owner's key stays out of reach.
    const stranger = await signedIn(ctx());
    const theirs = await newKey(ctx(), stranger.auth);
    const cross = await ctx().inject({ method: 'DELETE', url: `/api/keys/${theirs.id}`, headers: manager.auth });
    assert.equal(cross.statusCode, 404, cross.body);
  });

  test('a key with an expiry works until then and is a 401 saying it expired after; a past expiry is a 400', async () => {
    const user = await signedIn(ctx());
    const past = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: user.auth,
      payload: { name: 'old', expires_at: new Date(ctx().clock.now - 1000).toISOString() },
    });
    assert.equal(past.statusCode, 400, past.body);
    assert.equal(past.json().details[0].path, 'expires_at');

    const start = ctx().clock.now;
    try {
      const key = await newKey(ctx(), user.auth, { expires_at: new Date(start + 60_000).toISOString() });
      assert.equal(key.expires_at, new Date(start + 60_000).toISOString());
      const before = await ctx().inject({ method: 'GET', url: '/api/me', headers: key.auth });
      assert.equal(before.statusCode, 200, before.body);
      ctx().clock.now = start + 61_000;
      const after = await ctx().inject({ method: 'GET', url: '/api/me', headers: key.auth });
      assert.equal(after.statusCode, 401, after.body);
      assert.match(after.json().message, /expired at/);
    } finally {
      ctx().clock.now = start;
    }
  });

  test(`an owner holds at most ${MAX_ACTIVE_API_KEYS} active keys: one more is a 409, a revocation frees a place`, async () => {
    const user = await signedIn(ctx());
    const keys = [];
    for (let i = 0; i < MAX_ACTIVE_API_KEYS; i++) keys.push(await newKey(ctx(), user.auth, { name: `k${i}` }));
    const over = await ctx().inject({ method: 'POST', url: '/api/keys', headers: user.auth, payload: { name: 'x' } });
    assert.equal(over.statusCode, 409, over.body);
    assert.match(over.json().message, new RegExp(`${MAX_ACTIVE_API_KEYS} active API keys`));
    // The database refuses it too, whoever inserts.
    await assert.rejects(
      ctx().database.db.query(
        `INSERT INTO app.api_keys (owner, name, prefix, key_hash, scopes) VALUES ($1, 'sql', $2, 'x', '{signals:read}')`,
        [user.owner, uniqueSlug('p')],
      ),
      /20 active API keys/,
    );
    const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${keys[0]?.id}`, headers: user.auth });
    assert.equal(revoke.statusCode, 200, revoke.body);
    await newKey(ctx(), user.auth, { name: 'again' });
  });

  test('revocation is one-way: no role can set revoked_at back or change it, from the api or from SQL', async () => {
    const user = await signedIn(ctx());
    const key = await newKey(ctx(), user.auth);
    const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${key.id}`, headers: user.auth });
    assert.equal(revoke.statusCode, 200, revoke.body);
    const db = ctx().database.db;
    const undo = ['SET revoked_at = NULL', "SET revoked_at = now() + interval '1 day'"];
    for (const set of undo) {
      const sql = `UPDATE app.api_keys ${set} WHERE id = '${key.id}' RETURNING id`;
      // The owning role (a superuser here), the service role, the owner's own session, and anon.
      await assert.rejects(db.query(sql), /revocation cannot be undone/, `owner: ${set}`);
      await assert.rejects(
        db.asRequest({ role: 'service_role', claims: {} }, (tx) => tx.query(sql)),
        /revocation cannot be undone/,
        `service_role: ${set}`,
      );
      await assert.rejects(
        db.asRequest({ role: 'authenticated', claims: { sub: user.userId } }, (tx) => tx.query(sql)),
        /revocation cannot be undone/,
        `authenticated: ${set}`,
      );
      await assert.rejects(
        db.asRequest({ role: 'anon', claims: {} }, (tx) => tx.query(sql)),
        /permission denied/,
        `anon: ${set}`,
      );
    }
    const [row] = await db.query<{ revoked_at: string | null }>('SELECT revoked_at FROM app.api_keys WHERE id = $1', [
      key.id,
    ]);
    assert.equal(row?.revoked_at, revoke.json().data.revoked_at);
    const again = await ctx().inject({ method: 'GET', url: '/api/me', headers: key.auth });
    assert.equal(again.statusCode, 401);
  });
});

describeEachBackend('GET /api/audit', (ctx) => {
  test('records key creation and revocation and model registration with who and when, readable only by the owner', async () => {
    const user = await signedIn(ctx());
    const started = new Date(Date.now() - 5000).toISOString();
    const manager = await newKey(ctx(), user.auth, { name: 'manager', scopes: ['keys:manage', 'models:write'] });
    const made = await newKey(ctx(), manager.auth, { name: 'made', scopes: ['models:write'] });
    const model = uniqueSlug('m');
    const reg = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: made.auth,
      payload: { model_id: model, name: 'Audited' },
    });
    assert.equal(reg.statusCode, 201, reg.body);
    const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${made.id}`, headers: user.auth });
    assert.equal(revoke.statusCode, 200, revoke.body);
    const svcKey = await ctx().asService({
      method: 'POST',
      url: '/api/keys',
      payload: { name: 's', owner: user.owner },
    });
    assert.equal(svcKey.statusCode, 201, svcKey.body);

    const res = await ctx().inject({ method: 'GET', url: '/api/audit', headers: user.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const entries = res.json().data as {
      action: string;
      principal: string;
      subject: string;
      owner: string;
      created_at: string;
    }[];
    assert.deepEqual(
      entries.map((e) => [e.action, e.principal, e.subject]),
      [
        ['key.created', 'service', svcKey.json().data.id],
        ['key.revoked', `user:${user.userId}`, made.id],
        ['model.registered', `key:${made.id}`, model],
        ['key.created', `key:${manager.id}`, made.id],
        ['key.created', `user:${user.userId}`, manager.id],
      ],
    );
    for (const e of entries) {
      assert.equal(e.owner, user.owner);
      assert.ok(e.created_at >= started, e.created_at);
    }

    const stranger = await signedIn(ctx());
    const theirs = await ctx().inject({ method: 'GET', url: '/api/audit', headers: stranger.auth });
    assert.equal(theirs.statusCode, 200, theirs.body);
    assert.deepEqual(theirs.json().data, []);
    const named = await ctx().inject({ method: 'GET', url: `/api/audit?owner=${user.owner}`, headers: stranger.auth });
    assert.equal(named.statusCode, 403, named.body);
    const anonymous = await ctx().inject({ method: 'GET', url: '/api/audit' });
    assert.equal(anonymous.statusCode, 401);
    // No request role may write or erase the log.
    for (const role of ['authenticated', 'service_role', 'anon'] as const) {
      await assert.rejects(
        ctx().database.db.asRequest({ role, claims: { sub: user.userId } }, (tx) =>
          tx.query(`DELETE FROM app.audit_log WHERE owner = '${user.owner}'`),
        ),
        /permission denied/,
        role,
      );
    }
  });
});
