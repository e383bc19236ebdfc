import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { createVendor, describeEachBackend, JWT_SECRET, uniqueSlug } from '../test-helpers';

const githubId = () => String(randomInt(1, 2 ** 47));

describeEachBackend('POST /api/auth/identity', (ctx) => {
  const upsert = (payload: object) => ctx().asService({ method: 'POST', url: '/api/auth/identity', payload });

  /** A session token the way the web server mints one after the upsert. */
  const sessionFor = (userId: string) =>
    new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setAudience('authenticated')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));

  test('a first GitHub sign-in creates the user and identity and maps the lower-cased login to the owner', async () => {
    const login = `Octo-${uniqueSlug('cat')}`;
    const id = githubId();
    const res = await upsert({
      provider: 'github',
      provider_user_id: id,
      user_name: login,
      name: 'Octo Cat',
      avatar_url: 'https://avatars.githubusercontent.com/u/1',
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.owner, login.toLowerCase());
    assert.equal(body.created, true);
    const rows = await ctx().database.db.query<{ user_id: string; login: string; owner: string }>(
      `SELECT i.user_id, i.identity_data ->> 'user_name' AS login, u.owner
       FROM auth.identities i JOIN app.users u USING (user_id) WHERE i.provider = 'github' AND i.provider_id = $1`,
      [id],
    );
    assert.deepEqual(rows, [{ user_id: body.user_id, login, owner: login.toLowerCase() }]);
    // The token the web mints with sub = user_id is that owner to the api.
    const me = await ctx().inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${await sessionFor(body.user_id)}` },
    });
    assert.equal(me.json().data.owner, login.toLowerCase());
  });

  test('a Google sign-in maps the e-mail local part plus _google', async () => {
    const local = uniqueSlug('ana');
    const res = await upsert({ provider: 'google', provider_user_id: `1${githubId()}`, email: `${local}@gmail.com` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().owner, `${local}_google`);
  });

  test('a renamed GitHub login keeps its user and owner and updates the identity data', async () => {
    const id = githubId();
    const before = uniqueSlug('old');
    const first = (await upsert({ provider: 'github', provider_user_id: id, user_name: before })).json();
    const after = uniqueSlug('new');
    const res = await upsert({ provider: 'github', provider_user_id: id, user_name: after });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { user_id: first.user_id, owner: before, created: false });
    const [row] = await ctx().database.db.query<{ login: string; n: number }>(
      `SELECT max(identity_data ->> 'user_name') AS login, count(*)::int AS n
       FROM auth.identities WHERE provider = 'github' AND provider_id = $1`,
      [id],
    );
    assert.deepEqual(row, { login: after, n: 1 });
  });

  test('a login whose owner is taken by another user gets _2, then _3, never the existing owner', async () => {
    const login = uniqueSlug('dup');
    const a = (await upsert({ provider: 'github', provider_user_id: githubId(), user_name: login })).json();
    // The first account renamed away and a new account took the login (GitHub allows reuse after a rename).
    const b = (await upsert({ provider: 'github', provider_user_id: githubId(), user_name: login })).json();
    const c = (await upsert({ provider: 'github', provider_user_id: githubId(), user_name: login })).json();
    assert.deepEqual([a.owner, b.owner, c.owner], [login, `${login}_2`, `${login}_3`]);
    assert.equal(new Set([a.user_id, b.user_id, c.user_id]).size, 3);
  });

  test('concurrent first sign-ins of one identity create one user', async () => {
    const id = githubId();
    const login = uniqueSlug('race');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => upsert({ provider: 'github', provider_user_id: id, user_name: login })),
    );
    assert.deepEqual(
      results.map((r) => r.statusCode),
      [200, 200, 200, 200],
    );
    assert.equal(new Set(results.map((r) => r.json().user_id)).size, 1);
    assert.equal(results.filter((r) => r.json().created).length, 1);
  });

  test('bad inputs are 400s naming the field, and nothing is stored', async () => {
    const id = githubId();
    const cases: [object, string][] = [
      [{ provider: 'github', provider_user_id: id }, 'user_name'],
      [{ provider: 'google', provider_user_id: id }, 'email'],
      [{ provider: 'gitlab', provider_user_id: id, user_name: 'x' }, 'provider'],
      [{ provider: 'github', provider_user_id: 'a b', user_name: 'x' }, 'provider_user_id'],
      [{ provider: 'github', provider_user_id: `${id}\u0000`, user_name: 'x' }, 'provider_user_id'],
      [{ provider: 'github', provider_user_id: id, user_name: 'bad_login!' }, 'user_name'],
      [{ provider: 'github', provider_user_id: id, user_name: 'x', name: 'nul\u0000name' }, 'name'],
      [{ provider: 'github', provider_user_id: id, user_name: 'x', name: 'lone \ud800 surrogate' }, 'name'],
      [{ provider: 'github', provider_user_id: id, user_name: 'x', avatar_url: 'javascript:alert(1)' }, 'avatar_url'],
      [{ provider: 'google', provider_user_id: id, email: 'not-an-email' }, 'email'],
      [{ provider: 'github', provider_user_id: id, user_name: 'x', owner: 'admin' }, 'owner'],
      [{ provider: 'github', provider_user_id: id, user_name: 'x', nested: { a: { b: { c: {} } } } }, 'nested'],
    ];
    for (const [payload, field] of cases) {
      const res = await upsert(payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      const body = res.json();
      assert.equal(body.error, 'VALIDATION_ERROR');
      assert.ok(
        body.details.some((d: { path: string }) => d.path === field),
        `${JSON.stringify(payload)} names ${field}: ${res.body}`,
      );
    }
    const [row] = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM auth.identities WHERE provider_id = $1',
      [id],
    );
    assert.equal(row?.n, 0);
  });

  test('only the service principal may call it: anonymous 401, a vendor key or a user session 403', async () => {
    const payload = { provider: 'github', provider_user_id: githubId(), user_name: uniqueSlug('x') };
    const anonymous = await ctx().inject({ method: 'POST', url: '/api/auth/identity', payload });
    assert.equal(anonymous.statusCode, 401);
    const vendor = await createVendor(ctx());
    const asVendor = await ctx().inject({ method: 'POST', url: '/api/auth/identity', payload, headers: vendor.auth });
    assert.equal(asVendor.statusCode, 403);
    assert.equal(asVendor.json().error, 'FORBIDDEN');
    const user = (
      await upsert({ provider: 'github', provider_user_id: githubId(), user_name: uniqueSlug('u') })
    ).json();
    const asUser = await ctx().inject({
      method: 'POST',
      url: '/api/auth/identity',
      payload,
      headers: { authorization: `Bearer ${await sessionFor(user.user_id)}` },
    });
    assert.equal(asUser.statusCode, 403);
  });
});
