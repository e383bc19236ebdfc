import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DeviceApproveResultSchema,
  DeviceCodeResponseSchema,
  DeviceTokenErrorResponseSchema,
  DeviceTokenResponseSchema,
  ErrorResponseSchema,
} from '@neuronetiq/contracts';
import { type ApiTestContext, createUser, createVendor, describeEachBackend, uniqueSlug } from '../test-helpers';

const startLogin = async (ctx: ApiTestContext, clientName = 'mp on test laptop') => {
  const res = await ctx.inject({ method: 'POST', url: '/api/cli/device/code', payload: { client_name: clientName } });
  assert.equal(res.statusCode, 200, res.body);
  return DeviceCodeResponseSchema.parse(res.json());
};
const poll = (ctx: ApiTestContext, deviceCode: string) =>
  ctx.inject({ method: 'POST', url: '/api/cli/device/token', payload: { device_code: deviceCode } });
/** Polls as a well-behaved CLI does: after the code's interval has passed on the api's clock. */
const pollLater = (ctx: ApiTestContext, deviceCode: string, seconds = 5) => {
  ctx.clock.now += seconds * 1000;
  return poll(ctx, deviceCode);
};
const tokenError = (res: { statusCode: number; json(): unknown }) => {
  assert.equal(res.statusCode, 400);
  return DeviceTokenErrorResponseSchema.parse(res.json()).error;
};

describeEachBackend('mp login device flow (RFC 8628)', (ctx) => {
  test('a code approved by a signed-in GitHub user yields one vendor key of their owner, collected exactly once', async () => {
    const login = uniqueSlug('gh');
    const user = await createUser(ctx(), { provider: 'github', login });
    const code = await startLogin(ctx());
    assert.match(code.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(code.verification_uri, 'http://localhost:3000/cli/authorize');
    assert.equal(code.verification_uri_complete, `http://localhost:3000/cli/authorize?user_code=${code.user_code}`);
    assert.equal(code.interval, 5);
    assert.equal(code.expires_in, 900);

    assert.equal(tokenError(await pollLater(ctx(), code.device_code)), 'authorization_pending');

    const approve = await ctx().inject({
      method: 'POST',
      url: '/api/cli/device/approve',
      headers: user.auth,
      payload: { user_code: code.user_code.toLowerCase().replace('-', ''), approve: true },
    });
    assert.equal(approve.statusCode, 200, approve.body);
    assert.deepEqual(DeviceApproveResultSchema.parse(approve.json()).data, {
      status: 'approved',
      owner: login,
      client_name: 'mp on test laptop',
    });

    const token = await pollLater(ctx(), code.device_code);
    assert.equal(token.statusCode, 200, token.body);
    assert.equal(token.headers['cache-control'], 'no-store');
    const collected = DeviceTokenResponseSchema.parse(token.json());
    assert.equal(collected.owner, login);

    const me = await ctx().inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${collected.api_key}` },
    });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().data.kind, 'vendor');
    assert.equal(me.json().data.owner, login);
    assert.equal(me.json().data.key.id, collected.key_id);

    assert.equal(tokenError(await pollLater(ctx(), code.device_code)), 'expired_token', 'a second collection');

    // Neither code nor the key is stored in clear anywhere in the row.
    const rows = await ctx().database.db.query<Record<string, unknown>>(
      'SELECT to_jsonb(c)::text AS row FROM app.cli_device_codes c WHERE owner = $1',
      [login],
    );
    assert.equal(rows.length, 1);
    const stored = String(rows[0]?.row);
    for (const secret of [code.device_code, code.user_code, code.user_code.replace('-', ''), collected.api_key]) {
      assert.ok(!stored.includes(secret), `row must not contain ${secret.slice(0, 6)}…`);
    }
    assert.match(stored, /"status": "delivered"/);
  });

  test('polling faster than the interval answers slow_down and raises the interval by 5 s', async () => {
    const code = await startLogin(ctx());
    assert.equal(tokenError(await pollLater(ctx(), code.device_code)), 'authorization_pending');
    const fast = await pollLater(ctx(), code.device_code, 1);
    assert.equal(tokenError(fast), 'slow_down');
    assert.equal(fast.json().interval, 10);
    // The new interval holds: 6 s later is still too fast, 11 s later is fine.
    assert.equal(tokenError(await pollLater(ctx(), code.device_code, 6)), 'slow_down');
    assert.equal(tokenError(await pollLater(ctx(), code.device_code, 16)), 'authorization_pending');
  });

  test('a denied login answers access_denied and creates no key', async () => {
    const login = uniqueSlug('gh');
    const user = await createUser(ctx(), { provider: 'github', login });
    const code = await startLogin(ctx());
    const deny = await ctx().inject({
      method: 'POST',
      url: '/api/cli/device/approve',
      headers: user.auth,
      payload: { user_code: code.user_code, approve: false },
    });
    assert.equal(deny.statusCode, 200);
    assert.equal(deny.json().data.status, 'denied');
    assert.equal(tokenError(await pollLater(ctx(), code.device_code)), 'access_denied');
    const keys = await ctx().database.db.query('SELECT 1 FROM app.api_keys WHERE owner = $1', [login]);
    assert.equal(keys.length, 0);
    const again = await ctx().inject({
      method: 'POST',
      url: '/api/cli/device/approve',
      headers: user.auth,
      payload: { user_code: code.user_code, approve: true },
    });
    assert.equal(again.statusCode, 404, 'a decided code cannot be approved afterwards');
  });

  test('a code expires after expires_in: polls answer expired_token and approval is refused', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const code = await startLogin(ctx());
    ctx().clock.now += code.expires_in * 1000;
    const approve = await ctx().inject({
      method: 'POST',
      url: '/api/cli/device/approve',
      headers: user.auth,
      payload: { user_code: code.user_code, approve: true },
    });
    assert.equal(approve.statusCode, 404);
    const body = ErrorResponseSchema.parse(approve.json());
    assert.match(body.message, /run `mp login` again/);
    assert.equal(tokenError(await poll(ctx(), code.device_code)), 'expired_token');
    assert.equal(tokenError(await poll(ctx(), 'x'.repeat(43))), 'expired_token', 'an unknown code');
  });

  test('only a signed-in person may approve: anonymous is 401, a vendor key and the service key are 403', async () => {
    const code = await startLogin(ctx());
    const vendor = await createVendor(ctx());
    const payload = { user_code: code.user_code, approve: true };
    const anonymous = await ctx().inject({ method: 'POST', url: '/api/cli/device/approve', payload });
    assert.equal(anonymous.statusCode, 401);
    const byKey = await ctx().inject({ method: 'POST', url: '/api/cli/device/approve', headers: vendor.auth, payload });
    assert.equal(byKey.statusCode, 403);
    assert.match(byKey.json().message, /signed-in person/);
    const byService = await ctx().asService({ method: 'POST', url: '/api/cli/device/approve', payload });
    assert.equal(byService.statusCode, 403);
    assert.equal(tokenError(await pollLater(ctx(), code.device_code)), 'authorization_pending');
  });

  test('signed-in roles cannot read or write the device codes table (RLS and grants)', async () => {
    await startLogin(ctx());
    for (const role of ['anon', 'authenticated']) {
      await assert.rejects(
        ctx().database.db.asRequest({ role: role as 'anon' | 'authenticated', claims: {} }, (tx) =>
          tx.query('SELECT * FROM app.cli_device_codes'),
        ),
        /permission denied/,
        role,
      );
    }
  });

  test('bad input to the three endpoints is a 400 VALIDATION_ERROR naming the field', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const cases: { url: string; payload: unknown; path: string; auth?: boolean }[] = [
      { url: '/api/cli/device/code', payload: { client_name: 'x'.repeat(81) }, path: 'client_name' },
      { url: '/api/cli/device/code', payload: { client_name: '   ' }, path: 'client_name' },
      { url: '/api/cli/device/code', payload: { client_name: 7 }, path: 'client_name' },
      { url: '/api/cli/device/code', payload: { client_name: 'a', scope: 'all' }, path: 'scope' },
      { url: '/api/cli/device/token', payload: {}, path: 'device_code' },
      { url: '/api/cli/device/token', payload: { device_code: 42 }, path: 'device_code' },
      { url: '/api/cli/device/token', payload: { device_code: 'a'.repeat(201) }, path: 'device_code' },
      { url: '/api/cli/device/token', payload: { device_code: { $gt: '' } }, path: 'device_code' },
      { url: '/api/cli/device/approve', payload: { approve: true }, path: 'user_code', auth: true },
      {
        url: '/api/cli/device/approve',
        payload: { user_code: 'ABCD-EFG', approve: true },
        path: 'user_code',
        auth: true,
      },
      {
        url: '/api/cli/device/approve',
        payload: { user_code: 'ABCD\u0000EFGH', approve: true },
        path: 'user_code',
        auth: true,
      },
      {
        url: '/api/cli/device/approve',
        payload: { user_code: '\ud800BCD-EFGH', approve: true },
        path: 'user_code',
        auth: true,
      },
      {
        url: '/api/cli/device/approve',
        payload: { user_code: 'ABCD-EFGH', approve: 'yes' },
        path: 'approve',
        auth: true,
      },
      {
        url: '/api/cli/device/approve',
        payload: { user_code: 'ABCD-EFGH', approve: true, nested: JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) },
        // Refused on the body's text, before it is parsed: the whole body is named.
        path: '',
        auth: true,
      },
    ];
    for (const c of cases) {
      const res = await ctx().inject({
        method: 'POST',
        url: c.url,
        payload: c.payload as Record<string, unknown>,
        headers: c.auth ? user.auth : {},
      });
      assert.equal(res.statusCode, 400, `${c.url} ${JSON.stringify(c.payload).slice(0, 80)}: ${res.body}`);
      const body = ErrorResponseSchema.parse(res.json());
      assert.equal(body.error, 'VALIDATION_ERROR');
      assert.ok(
        body.details?.some((d) => d.path === c.path),
        `${c.url}: details name ${c.path}: ${JSON.stringify(body.details)}`,
      );
    }
    const notJson = await ctx().inject({
      method: 'POST',
      url: '/api/cli/device/token',
      headers: { 'content-type': 'application/json' },
      payload: '{"device_code":',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error, 'VALIDATION_ERROR');
  });
});
