// better-auth against our migration, on both databases: the tables it expects are the ones
// supabase/migrations/20261205050000_web_sessions.sql creates (a better-auth upgrade that needs more fails here), the
// endpoints that would let a user rename their owner or sign up with a password answer 404, and a GitHub sign-in
// starts an authorization-code flow at the configured (not github.com) endpoints.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import type { Pool } from 'pg';
import { parseEnv } from '../env';
import { authOptions, createAuthPool, DISABLED_AUTH_PATHS } from './auth';

const WEB = 'http://localhost:3999';
const env = (databaseUrl: string) =>
  parseEnv({
    DATABASE_URL: databaseUrl,
    WEB_URL: WEB,
    SERVICE_ROLE_KEY: 's'.repeat(40),
    SUPABASE_JWT_SECRET: 'j'.repeat(40),
    BETTER_AUTH_SECRET: 'b'.repeat(40),
    GITHUB_CLIENT_ID: 'gh-client',
    GITHUB_CLIENT_SECRET: 'gh-secret',
    GITHUB_OAUTH_URL: 'http://127.0.0.1:9',
    GITHUB_API_URL: 'http://127.0.0.1:9',
  });

for (const backend of testBackends()) {
  describe(`better-auth on ${backend}`, () => {
    let t: TestDatabase;
    let pool: Pool;
    before(async () => {
      t = await createTestDatabase(backend);
      pool = createAuthPool(env(t.url));
    });
    after(async () => {
      await pool?.end();
      await t?.close();
    });

    test('the migration creates every table and column better-auth expects in schema better_auth', async () => {
      const { toBeCreated, toBeAdded } = await getMigrations(authOptions(env(t.url), pool));
      assert.deepEqual(
        toBeCreated.map((x) => x.table),
        [],
        'better-auth wants tables the migration does not create',
      );
      assert.deepEqual(
        toBeAdded.map((x) => `${x.table}: ${Object.keys(x.fields).join(', ')}`),
        [],
        'better-auth wants columns the migration does not create',
      );
    });

    test('the pool outlives a connection the server closes while idle (a restart must not end the web server)', async () => {
      // Without a listener of its own, the pool's 'error' event would be thrown and end the process.
      assert.ok(pool.listenerCount('error') > 0, 'the pool listens for errors of idle connections');
      await pool.query('SELECT 1');
      const closed = new Promise<void>((resolve) => pool.once('error', () => resolve()));
      if (backend === 'postgres') {
        await t.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'web-auth'");
      } else {
        // PGlite has one backend: end the idle client's socket from our side instead.
        const idle = await pool.connect();
        idle.release();
        (idle as unknown as { connection: { stream: { destroy(e: Error): void } } }).connection.stream.destroy(
          new Error('connection reset'),
        );
      }
      await closed;
      const rows = await pool.query<{ x: number }>('SELECT 1 AS x');
      assert.equal(rows.rows[0]?.x, 1, 'a new connection answers');
    });

    test('/update-user, /sign-up/email and the other profile and password endpoints answer 404', async () => {
      const auth = betterAuth(authOptions(env(t.url), pool));
      for (const path of ['/update-user', '/sign-up/email', '/sign-in/email', '/change-email']) {
        assert.ok(DISABLED_AUTH_PATHS.includes(path));
        const res = await auth.handler(
          new Request(`${WEB}/api/auth${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: WEB },
            body: JSON.stringify({ owner: 'someone-else', name: 'x', email: 'a@b.c', password: 'p'.repeat(12) }),
          }),
        );
        assert.equal(res.status, 404, `${path} answered ${res.status}`);
      }
      const users = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM better_auth."user"');
      assert.equal(users[0]?.n, 0, 'no user was created');
    });

    test('a GitHub sign-in redirects to the configured authorize endpoint with state, PKCE and our callback', async () => {
      const auth = betterAuth(authOptions(env(t.url), pool));
      const res = await auth.handler(
        new Request(`${WEB}/api/auth/sign-in/social`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: WEB },
          body: JSON.stringify({ provider: 'github', callbackURL: '/marketplace/vendor' }),
        }),
      );
      assert.equal(res.status, 200);
      const { url } = (await res.json()) as { url: string };
      const authorize = new URL(url);
      assert.equal(`${authorize.origin}${authorize.pathname}`, 'http://127.0.0.1:9/login/oauth/authorize');
      assert.equal(authorize.searchParams.get('client_id'), 'gh-client');
      assert.equal(authorize.searchParams.get('redirect_uri'), `${WEB}/api/auth/callback/github`);
      assert.ok((authorize.searchParams.get('state') ?? '').length >= 16, 'carries a state');
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      const cookies = res.headers.getSetCookie().join('\n');
      assert.match(cookies, /HttpOnly/i);
      assert.match(cookies, /SameSite=Lax/i);
    });
  });
}
