// The api's login role nq_api (20261207030000_api_login_role.sql): on its own it reads and writes nothing, it can
// become anon, authenticated or service_role and nothing else, and no request can keep a role or claims on a pooled
// connection after its transaction. PostgreSQL only: PGlite has a single user, a superuser, so there is no login role
// to connect as there (the role is still created by the migration).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDb, type Db, type RequestContext, sqlState } from './client';
import { API_LOGIN_ROLE, createTestDatabase, type TestDatabase } from './testing';

const PGLITE_SKIP = 'PGlite has one user, a superuser: there is no login role to connect as (needs DATABASE_URL)';
const SERVICE: RequestContext = { role: 'service_role', claims: {} };

/** Runs `fn` and returns the SQLSTATE it fails with (or 'ok'). */
async function stateOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return sqlState(err) ?? `not a database error: ${(err as Error).message}`;
  }
}

describe('the api login role nq_api [postgres]', { skip: process.env.DATABASE_URL ? false : PGLITE_SKIP }, () => {
  let t: TestDatabase;
  let login: Db;
  /** One connection: what a request leaves on it is what the next one finds. */
  let single: Db;

  before(async () => {
    t = await createTestDatabase('postgres');
    assert.ok(t.loginUrl, 'a migrated PostgreSQL test database has a login url');
    login = createDb(t.loginUrl, { max: 4, applicationName: 'test-login' });
    single = createDb(t.loginUrl, { max: 1, applicationName: 'test-login-single' });
  });
  after(async () => {
    await login?.end();
    await single?.end();
    await t?.close();
  });

  test('is no superuser, bypasses no RLS, inherits nothing, owns nothing, and is a member of exactly the request roles', async () => {
    const [role] = await t.db.query<{
      rolsuper: boolean;
      rolbypassrls: boolean;
      rolinherit: boolean;
      rolcreaterole: boolean;
      rolcreatedb: boolean;
    }>('SELECT rolsuper, rolbypassrls, rolinherit, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1', [
      API_LOGIN_ROLE,
    ]);
    assert.deepEqual(role, {
      rolsuper: false,
      rolbypassrls: false,
      rolinherit: false,
      rolcreaterole: false,
      rolcreatedb: false,
    });
    const memberOf = await t.db.query<{ rolname: string; admin_option: boolean }>(
      `SELECT r.rolname, m.admin_option FROM pg_auth_members m
       JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
       WHERE u.rolname = $1 ORDER BY r.rolname`,
      [API_LOGIN_ROLE],
    );
    assert.deepEqual(memberOf, [
      { rolname: 'anon', admin_option: false },
      { rolname: 'authenticated', admin_option: false },
      { rolname: 'service_role', admin_option: false },
    ]);
    const [owned] = await t.db.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM pg_class WHERE relowner = r.oid) + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
             + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid) + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
             + (SELECT count(*) FROM pg_database WHERE datdba = r.oid))::int AS n
       FROM pg_roles r WHERE r.rolname = $1`,
      [API_LOGIN_ROLE],
    );
    assert.equal(owned?.n, 0);
  });

  test('without SET ROLE it can read and write no table of the schema: permission denied on every one', async () => {
    const tables = await t.db.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname IN ('app', 'ml', 'market', 'auth', 'supabase_migrations')
       ORDER BY 1`,
    );
    assert.ok(tables.length >= 20, `the schema's tables were found (${tables.length})`);
    const [me] = await login.query<{ u: string }>('SELECT current_user AS u');
    assert.equal(me?.u, API_LOGIN_ROLE);
    for (const { name } of tables) {
      assert.equal(await stateOf(() => login.query(`SELECT 1 FROM ${name} LIMIT 1`)), '42501', `SELECT ${name}`);
      assert.equal(await stateOf(() => login.query(`DELETE FROM ${name} WHERE false`)), '42501', `DELETE ${name}`);
    }
    assert.equal(
      await stateOf(() =>
        login.query(`INSERT INTO app.api_keys (owner, name, prefix, key_hash) VALUES ('x', 'x', 'x', 'x')`),
      ),
      '42501',
    );
    // Nor run the definer functions: no USAGE on their schemas without a request role.
    assert.equal(await stateOf(() => login.query(`SELECT app.upsert_identity('github', '1', NULL, '{}')`)), '42501');
  });

  test('it cannot SET ROLE to the owner or postgres, nor take the session authorization', async () => {
    const [owner] = await t.db.query<{ o: string }>(
      `SELECT pg_get_userbyid(nspowner) AS o FROM pg_namespace WHERE nspname = 'app'`,
    );
    for (const target of new Set(['postgres', owner?.o as string])) {
      assert.equal(await stateOf(() => login.query(`SET ROLE ${target}`)), '42501', `SET ROLE ${target}`);
      assert.equal(
        await stateOf(() => login.asRequest(SERVICE, (tx) => tx.query(`SET LOCAL ROLE ${target}`))),
        '42501',
        `SET LOCAL ROLE ${target} inside a request`,
      );
    }
    assert.equal(await stateOf(() => login.query('SET SESSION AUTHORIZATION postgres')), '42501');
    assert.equal(await stateOf(() => login.query(`SELECT set_config('role', 'postgres', false)`)), '42501');
  });

  test('neither it nor any request role can disable row-level security or drop a policy', async () => {
    assert.equal(await stateOf(() => login.query('ALTER TABLE app.api_keys DISABLE ROW LEVEL SECURITY')), '42501');
    for (const role of ['anon', 'authenticated', 'service_role'] as const) {
      const ctx: RequestContext = { role, claims: {} };
      assert.equal(
        await stateOf(() =>
          login.asRequest(ctx, (tx) => tx.query('ALTER TABLE ml.signals_latest DISABLE ROW LEVEL SECURITY')),
        ),
        '42501',
        `as ${role}`,
      );
      assert.equal(
        await stateOf(() =>
          login.asRequest(ctx, (tx) => tx.query('DROP POLICY IF EXISTS service_keys ON app.api_keys')),
        ),
        '42501',
        `DROP POLICY as ${role}`,
      );
    }
    // row_security = off does not bypass RLS for a role subject to it: its query fails instead.
    assert.equal(
      await stateOf(() =>
        login.asRequest({ role: 'authenticated', claims: {} }, async (tx) => {
          await tx.query(`SELECT set_config('row_security', 'off', true)`);
          return tx.query('SELECT * FROM app.api_keys');
        }),
      ),
      '42501',
    );
    const [rls] = await t.db.query<{ on: boolean }>(
      `SELECT relrowsecurity AS on FROM pg_class WHERE oid = 'app.api_keys'::regclass`,
    );
    assert.equal(rls?.on, true);
  });

  test('RESET ROLE inside a request transaction gives the login role back, which has no power: no superuser', async () => {
    const seen = await stateOf(() =>
      login.asRequest(SERVICE, async (tx) => {
        await tx.query('RESET ROLE');
        const [who] = await tx.query<{ u: string; su: boolean }>(
          `SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`,
        );
        assert.deepEqual(who, { u: API_LOGIN_ROLE, su: false });
        return tx.query('SELECT key_hash FROM app.api_keys LIMIT 1');
      }),
    );
    assert.equal(seen, '42501');
    // The same with SET ROLE NONE and SET SESSION AUTHORIZATION DEFAULT.
    assert.equal(
      await stateOf(() =>
        login.asRequest(SERVICE, async (tx) => {
          await tx.query('SET ROLE NONE');
          await tx.query('SET SESSION AUTHORIZATION DEFAULT');
          return tx.query('SELECT 1 FROM ml.signals_latest LIMIT 1');
        }),
      ),
      '42501',
    );
  });

  test('a request cannot leave its pooled connection in another role or with claims for the next request', async () => {
    // A request that (as if injected) sets the role and claims for the whole session, not its transaction.
    await single.asRequest(
      { role: 'authenticated', claims: { sub: '00000000-0000-4000-8000-000000000001' } },
      async (tx) => {
        await tx.query('SET ROLE service_role');
        await tx.query(
          `SELECT set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000002"}', false)`,
        );
      },
    );
    const [after1] = await single.query<{ u: string; claims: string | null }>(
      `SELECT current_user AS u, current_setting('request.jwt.claims', true) AS claims`,
    );
    assert.equal(after1?.u, API_LOGIN_ROLE);
    assert.ok(!after1?.claims, `no claims left: ${after1?.claims}`);
    // Also when the statement that sets it rides with the COMMIT, and on the prepared (array parameter) path.
    await single.asRequest(SERVICE, (tx) => tx.query('SET ROLE service_role', undefined, { commit: true }));
    await single.asRequest(SERVICE, async (tx) => {
      await tx.query('SELECT $1::text[]', [['a']]);
      await tx.query('SET ROLE service_role');
    });
    const [after2] = await single.query<{ u: string }>('SELECT current_user AS u');
    assert.equal(after2?.u, API_LOGIN_ROLE);
    assert.equal(await stateOf(() => single.query('SELECT 1 FROM app.api_keys LIMIT 1')), '42501');
    // A request that fails after such a SET rolls it back.
    await stateOf(() =>
      single.asRequest(SERVICE, async (tx) => {
        await tx.query('SET ROLE service_role');
        await tx.query('SELECT 1/0');
      }),
    );
    const [after3] = await single.query<{ u: string }>('SELECT current_user AS u');
    assert.equal(after3?.u, API_LOGIN_ROLE);
  });

  test('each request role reads what it is granted through SET LOCAL ROLE, and the service role reads the migration versions', async () => {
    const [anon] = await login.asRequest({ role: 'anon', claims: {} }, (tx) =>
      tx.query<{ u: string; n: number }>('SELECT current_user AS u, (SELECT count(*)::int FROM ml.models) AS n'),
    );
    assert.deepEqual(anon, { u: 'anon', n: 0 });
    const versions = await login.asRequest(SERVICE, (tx) =>
      tx.query<{ version: string }>('SELECT version FROM supabase_migrations.schema_migrations'),
    );
    assert.ok(versions.some((v) => v.version === '20261207030000'));
    assert.equal(
      await stateOf(() =>
        login.asRequest(SERVICE, (tx) => tx.query('SELECT statements FROM supabase_migrations.schema_migrations')),
      ),
      '42501',
    );
  });
});
