// The test databases on PGlite start from a copy of a migrated data folder (testing.ts): that copy must be the schema
// the migrations make, not an older one, and two databases made from it must not share anything.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from './migrate';
import { createTestDatabase, type TestDatabase } from './testing';

// Tables, columns, policies, functions, views, roles and grants: what a wrong copy would get wrong.
const FINGERPRINT = `
  SELECT string_agg(x, E'\\n' ORDER BY x) AS f FROM (
    SELECT format('column %s.%s %s %s', c.relnamespace::regnamespace, c.relname, a.attname, a.atttypid::regtype) AS x
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relnamespace::regnamespace::text NOT LIKE 'pg\\_%'
        AND c.relnamespace::regnamespace::text <> 'information_schema'
    UNION ALL SELECT format('acl %s.%s %s', c.relnamespace::regnamespace, c.relname, c.relacl)
      FROM pg_class c WHERE c.relacl IS NOT NULL AND c.relnamespace::regnamespace::text NOT LIKE 'pg\\_%'
    UNION ALL SELECT format('policy %s %s %s', polrelid::regclass, polname, pg_get_expr(polqual, polrelid))
      FROM pg_policy
    UNION ALL SELECT format('function %s %s', p.oid::regprocedure, md5(p.prosrc))
      FROM pg_proc p WHERE p.pronamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT format('role %s', rolname) FROM pg_roles
    UNION ALL SELECT format('migration %s', version) FROM supabase_migrations.schema_migrations
  ) s`;

let fresh: TestDatabase;
let copyA: TestDatabase;
let copyB: TestDatabase;
before(async () => {
  fresh = await createTestDatabase('pglite', { migrate: false });
  await migrate(fresh.db);
  copyA = await createTestDatabase('pglite');
  copyB = await createTestDatabase('pglite');
});
after(async () => {
  await Promise.all([fresh?.close(), copyA?.close(), copyB?.close()]);
});

test('a PGlite test database has exactly the schema the migrations make from an empty cluster', async () => {
  const [a] = await fresh.db.query<{ f: string }>(FINGERPRINT);
  const [b] = await copyA.db.query<{ f: string }>(FINGERPRINT);
  assert.ok((a?.f.length ?? 0) > 1000, 'the fingerprint covers the schema');
  assert.equal(b?.f, a?.f);
  const pending = await migrate(copyA.db);
  assert.deepEqual(pending.applied, [], 'nothing left to apply');
});

test('two PGlite test databases made from the same copy are independent', async () => {
  await copyA.db.query('CREATE TABLE public.only_in_a (x int)');
  await copyA.db.query('INSERT INTO public.only_in_a VALUES (1)');
  const count = (t: TestDatabase) =>
    t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'only_in_a'`);
  assert.equal((await count(copyA))[0]?.n, 1);
  assert.equal((await count(copyB))[0]?.n, 0);
});
