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
  url: string;
  db: Db;
  close(): Promise<void>;
}

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
  return {
    backend,
    url: url.toString(),
    db,
    async close() {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
