import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser, createVendor, describeEachBackend, SERVICE_KEY, uniqueSlug } from '../test-helpers';

describeEachBackend('models, keys and /api/me', (ctx) => {
  test('a signed-in GitHub user gets their login as owner, registers a model and creates a key', async () => {
    const login = uniqueSlug('gh');
    const user = await createUser(ctx(), { provider: 'github', login });
    const me = await ctx().inject({ method: 'GET', url: '/api/me', headers: user.auth });
    assert.equal(me.statusCode, 200);
    assert.deepEqual(me.json().data, {
      kind: 'user',
      user_id: user.userId,
      owner: login,
      provider: 'github',
      username: login,
    });
    const model = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: user.auth,
      payload: { model_id: 'alpha-001', name: 'Alpha', description: 'RSI with a twist' },
    });
    assert.equal(model.statusCode, 201);
    assert.equal(model.json().data.owner, login);
    const key = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: user.auth,
      payload: { name: 'laptop' },
    });
    assert.equal(key.statusCode, 201);
    const created = key.json().data;
    assert.match(created.key, /^mp_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.owner, login);
    assert.equal(key.headers['cache-control'], 'no-store');
    const keyMe = await ctx().inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${created.key}` },
    });
    assert.equal(keyMe.json().data.owner, login);
  });

  test('only the hash of a key is stored, and listing never shows the secret', async () => {
    const v = await createVendor(ctx());
    const rows = await ctx().database.db.query<{ key_hash: string; prefix: string }>(
      'SELECT key_hash, prefix FROM app.api_keys WHERE id = $1',
      [v.keyId],
    );
    assert.equal(rows[0]?.key_hash.length, 64);
    assert.ok(!JSON.stringify(rows).includes(v.key));
    assert.ok(v.key.startsWith(`mp_${rows[0]?.prefix}_`));
    const list = await ctx().asService({ method: 'GET', url: `/api/keys?owner=${v.owner}` });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().data.length, 1);
    assert.ok(!list.body.includes(v.key));
    assert.ok(!list.body.includes('key_hash'));
  });

  test('a Google user with the same local part as a GitHub login gets a distinct owner (no takeover)', async () => {
    const login = uniqueSlug('pacey');
    await createUser(ctx(), { provider: 'github', login });
    const google = await createUser(ctx(), { provider: 'google', email: `${login}@gmail.com` });
    const me = await ctx().inject({ method: 'GET', url: '/api/me', headers: google.auth });
    assert.equal(me.json().data.owner, `${login}_google`);
    const second = await createUser(ctx(), { provider: 'google', email: `${login}@example.org` });
    const me2 = await ctx().inject({ method: 'GET', url: '/api/me', headers: second.auth });
    assert.equal(me2.json().data.owner, `${login}_google_2`);
  });

  test('a user cannot register a model or create a key for another owner', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const model = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: user.auth,
      payload: { model_id: 'x-001', name: 'X', owner: 'someone-else' },
    });
    assert.equal(model.statusCode, 403);
    const key = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: user.auth,
      payload: { name: 'k', owner: 'someone-else' },
    });
    assert.equal(key.statusCode, 403);
  });

  test('registering the same model twice is 409; the service key must name an owner', async () => {
    const v = await createVendor(ctx());
    const dup = await ctx().asService({
      method: 'POST',
      url: '/api/models',
      payload: { owner: v.owner, model_id: v.modelId, name: 'again' },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().error, 'CONFLICT');
    const noOwner = await ctx().asService({
      method: 'POST',
      url: '/api/models',
      payload: { model_id: 'm', name: 'n' },
    });
    assert.equal(noOwner.statusCode, 400);
    assert.equal(noOwner.json().details[0].path, 'owner');
  });

  test('GET /api/models shows public models to anyone and private ones only to their owner', async () => {
    const v = await createVendor(ctx());
    await ctx().asService({
      method: 'POST',
      url: '/api/models',
      payload: { owner: v.owner, model_id: 'secret-001', name: 'Secret', visibility: 'private' },
    });
    const anon = await ctx().inject({ method: 'GET', url: `/api/models?owner=${v.owner}` });
    assert.deepEqual(
      anon.json().data.map((m: { model_id: string }) => m.model_id),
      [v.modelId],
    );
    const own = await ctx().inject({ method: 'GET', url: `/api/models?owner=${v.owner}`, headers: v.auth });
    assert.deepEqual(
      own
        .json()
        .data.map((m: { model_id: string }) => m.model_id)
        .sort(),
      [v.modelId, 'secret-001'].sort(),
    );
  });

  test('an API key without keys:manage cannot create keys or revoke others; revoking itself works once, then 404', async () => {
    const v = await createVendor(ctx());
    const mint = await ctx().inject({ method: 'POST', url: '/api/keys', headers: v.auth, payload: { name: 'more' } });
    assert.equal(mint.statusCode, 403);
    const other = await createVendor(ctx());
    const cross = await ctx().inject({ method: 'DELETE', url: `/api/keys/${other.keyId}`, headers: v.auth });
    assert.equal(cross.statusCode, 403);
    const own = await ctx().inject({ method: 'DELETE', url: `/api/keys/${v.keyId}`, headers: v.auth });
    assert.equal(own.statusCode, 200);
    assert.ok(own.json().data.revoked_at);
    const again = await ctx().asService({ method: 'DELETE', url: `/api/keys/${v.keyId}` });
    assert.equal(again.statusCode, 404);
  });

  test('/api/me names the principal kind for the service; an expired or forged session token is 401', async () => {
    const me = await ctx().inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${SERVICE_KEY}` },
    });
    assert.deepEqual(me.json().data, { kind: 'service' });
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const [h, p] = user.token.split('.');
    const forged = await ctx().inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${h}.${p}.c2lnbmF0dXJl` },
    });
    assert.equal(forged.statusCode, 401);
  });
});
