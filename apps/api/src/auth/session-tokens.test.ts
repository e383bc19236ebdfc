import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { type ApiTestContext, createUser, describeEachBackend, JWT_SECRET, uniqueSlug } from '../test-helpers';

const ISSUER = 'https://project.supabase.co/auth/v1';

/** Signs `claims` with the api's secret; `exp` in 5 minutes and `aud` authenticated unless given (null: left out). */
function sign(claims: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  const full: Record<string, unknown> = { aud: 'authenticated', exp: now + 300, iat: now, ...claims };
  for (const [k, v] of Object.entries(full)) if (v === null) delete full[k];
  return new SignJWT(full).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JWT_SECRET));
}

async function me(ctx: ApiTestContext, token: string) {
  return ctx.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
}

function assertUnauthenticated(res: { statusCode: number; body: string }, mentions: RegExp) {
  assert.equal(res.statusCode, 401, res.body);
  const body = JSON.parse(res.body);
  assert.equal(body.error, 'UNAUTHENTICATED');
  assert.match(body.message, mentions);
}

describeEachBackend('session tokens', (ctx) => {
  test('a token without exp, with another or no aud, or with a sub that is not a UUID is a 401 naming the claim', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('tok') });
    const base = { sub: user.userId, role: 'authenticated' };
    assert.equal((await me(ctx(), await sign(base))).statusCode, 200);
    assertUnauthenticated(await me(ctx(), await sign({ ...base, exp: null })), /expiry \(exp\)/);
    assertUnauthenticated(await me(ctx(), await sign({ ...base, aud: null })), /audience \(aud\)/);
    assertUnauthenticated(await me(ctx(), await sign({ ...base, aud: 'anon' })), /audience \(aud\)/);
    assertUnauthenticated(await me(ctx(), await sign({ ...base, sub: null })), /\(sub\)/);
    for (const sub of ['not-a-uuid', 'admin', `${user.userId}x`, "'; DROP TABLE app.users; --"]) {
      assertUnauthenticated(await me(ctx(), await sign({ ...base, sub })), /sub must be the user id \(a UUID\)/);
    }
    const expired = await sign({ ...base, exp: Math.floor(Date.now() / 1000) - 60 });
    assertUnauthenticated(await me(ctx(), expired), /expired/);
  });

  test("a validly signed token carrying another owner's name, key id or role sees nothing of that owner's", async () => {
    const victimLogin = uniqueSlug('victim');
    const victim = await createUser(ctx(), { provider: 'github', login: victimLogin });
    const priv = uniqueSlug('secret');
    const reg = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: victim.auth,
      payload: { model_id: priv, name: 'Secret', visibility: 'private' },
    });
    assert.equal(reg.statusCode, 201, reg.body);
    const keyRes = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: victim.auth,
      payload: { name: 'victim key' },
    });
    assert.equal(keyRes.statusCode, 201, keyRes.body);
    const victimKeyId = keyRes.json().data.id;

    const attacker = await createUser(ctx(), { provider: 'github', login: uniqueSlug('attacker') });
    const forged = await sign({
      sub: attacker.userId,
      role: 'service_role',
      owner: victimLogin,
      key_id: victimKeyId,
      user_metadata: { owner: victimLogin },
    });
    const auth = { authorization: `Bearer ${forged}` };
    const who = await ctx().inject({ method: 'GET', url: '/api/me', headers: auth });
    assert.equal(who.statusCode, 200, who.body);
    assert.equal(who.json().data.kind, 'user');
    assert.notEqual(who.json().data.owner, victimLogin);

    const models = await ctx().inject({ method: 'GET', url: `/api/models?owner=${victimLogin}`, headers: auth });
    assert.equal(models.statusCode, 200, models.body);
    assert.deepEqual(models.json().data, [], 'the private model stays hidden');
    const keys = await ctx().inject({ method: 'GET', url: `/api/keys?owner=${victimLogin}`, headers: auth });
    assert.equal(keys.statusCode, 403, keys.body);
    const revoke = await ctx().inject({ method: 'DELETE', url: `/api/keys/${victimKeyId}`, headers: auth });
    assert.equal(revoke.statusCode, 404, revoke.body);
    const [row] = await ctx().database.db.query<{ revoked_at: string | null }>(
      'SELECT revoked_at FROM app.api_keys WHERE id = $1',
      [victimKeyId],
    );
    assert.equal(row?.revoked_at, null);
    // A service_role claim is no service key: service-only endpoints stay closed.
    const outbox = await ctx().inject({ method: 'GET', url: '/api/admin/outbox', headers: auth });
    assert.equal(outbox.statusCode, 403, outbox.body);
  });
});

describeEachBackend(
  'session tokens with SUPABASE_JWT_ISSUER set',
  (ctx) => {
    test('iss must be the configured issuer', async () => {
      const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('iss') });
      const base = { sub: user.userId, role: 'authenticated' };
      assert.equal((await me(ctx(), await sign({ ...base, iss: ISSUER }))).statusCode, 200);
      assertUnauthenticated(await me(ctx(), await sign(base)), /issuer \(iss\)/);
      assertUnauthenticated(
        await me(ctx(), await sign({ ...base, iss: 'https://evil.example/auth/v1' })),
        /issuer \(iss\) must be "https:\/\/project\.supabase\.co\/auth\/v1"/,
      );
    });
  },
  { jwtIssuer: ISSUER },
);
