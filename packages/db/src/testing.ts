// Test databases: every test file gets its own fresh database on each backend — an in-memory PGlite served over the
// wire protocol (always), and a database created on the PostgreSQL server at DATABASE_URL (when set) and dropped
// afterwards. Both are migrated and reached through the same `pg` pool as in production.
import { randomBytes } from 'node:crypto';
import { createDb, type Db } from './client';
import { startEmbeddedDatabase } from './embedded';
import { migrate } from './migrate';

export type Backend = 'pglite' | 'postgres';

export interface TestDatabase {
  backend: Backend;
  /** The owner's connection string (migrations, fixtures). */
  url: string;
  /** Connected as the owner. */
  db: Db;
  /**
   * The connection string of the api's login role `nq_api` (20261207030000_api_login_role) on this database, as
   * production connects; null on PGlite, whose one user is a superuser (every connection is `postgres`).
   */
  loginUrl: string | null;
  close(): Promise<void>;
}

/** The api's login role (a member of anon, authenticated and service_role only). */
export const API_LOGIN_ROLE = 'nq_api';

export function testBackends(): Backend[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export async function createTestDatabase(backend: Backend, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const shouldMigrate = options.migrate ?? true;
  if (backend === 'pglite') {
    const embedded = await startEmbeddedDatabase();
    const db = createDb(embedded.url, { max: 10, applicationName: 'test' });
    if (shouldMigrate) await migrate(db);
    return {
      backend,
      url: embedded.url,
      db,
      loginUrl: null,
      async close() {
        await db.end();
        await embedded.close();
      },
    };
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set: no PostgreSQL backend for tests');
  const name = `nq_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = createDb(serverUrl, { max: 1, applicationName: 'test-admin' });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { max: 10, applicationName: 'test' });
  try {
    if (shouldMigrate) await migrate(db);
  } catch (err) {
    await db.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    throw err;
  }
  const loginUrl = new URL(url);
  loginUrl.username = API_LOGIN_ROLE;
  loginUrl.password = process.env.NQ_API_PASSWORD ?? '';
  return {
    backend,
    url: url.toString(),
    db,
    loginUrl: shouldMigrate ? loginUrl.toString() : null,
    async close() {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
