// Test databases: every test file gets its own fresh database on each backend — an in-memory PGlite served over the
// wire protocol (always), and a database created on the PostgreSQL server at DATABASE_URL (when set) and dropped
// afterwards. Both are migrated and reached through the same `pg` pool as in production.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from './client';
import { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded';
import { loadMigrations, migrate, migrationsChecksum } from './migrate';

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
    const snapshot = shouldMigrate ? migratedSnapshot() : undefined;
    const embedded = await startEmbeddedDatabase(snapshot ? { loadDataDir: snapshot.blob } : {});
    const db = createDb(embedded.url, { max: 10, applicationName: 'test' });
    if (shouldMigrate) {
      // From a snapshot this applies nothing (the bookkeeping says so); without one it migrates, then keeps a copy.
      const { applied } = await migrate(db);
      if (!snapshot && applied.length > 0) await saveSnapshot(embedded);
    }
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

// PGlite's initdb plus the migrations take ~3 s of CPU per test database; a copy of a migrated data folder loads in
// ~0.5 s. The copy is keyed by the PGlite version and the migrations' checksum, so a changed migration (or an upgrade)
// makes a new one; it lives in the OS temp folder and is written by rename, so concurrent test files never read half of it.
const PGLITE_VERSION = (() => {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  const marker = '/node_modules/@electric-sql/pglite/';
  const dir = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
})();

const snapshotPath = () =>
  join(tmpdir(), `nq-test-pglite-${PGLITE_VERSION}-${migrationsChecksum(loadMigrations())}.tar`);

function migratedSnapshot(): { blob: Blob } | undefined {
  try {
    return { blob: new Blob([readFileSync(snapshotPath())]) };
  } catch {
    return undefined;
  }
}

async function saveSnapshot(embedded: EmbeddedDatabase): Promise<void> {
  const path = snapshotPath();
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(partial, Buffer.from(await (await embedded.dumpDataDir()).arrayBuffer()));
  renameSync(partial, path);
  // Copies for older migrations (another branch, an earlier run) go after a day.
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('nq-test-pglite-')) continue;
    const other = join(tmpdir(), name);
    try {
      if (other !== path && Date.now() - statSync(other).mtimeMs > 86_400_000) rmSync(other, { force: true });
    } catch {
      // another process removed it first
    }
  }
}
