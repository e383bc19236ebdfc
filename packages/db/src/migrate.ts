import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, type Queryable, sqlState } from './client';

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

const FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** Finds `supabase/migrations` by walking up from this module (works from src/ and from a bundled dist/). */
export function findMigrationsDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'supabase', 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no supabase/migrations folder above ${start}`);
    dir = parent;
  }
}

export function loadMigrations(dir: string = findMigrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const m = FILE.exec(f);
      if (!m) throw new Error(`migration file "${f}" is not named YYYYMMDDHHMMSS_purpose.sql`);
      return { version: m[1] as string, name: m[2] as string, sql: readFileSync(join(dir, f), 'utf8') };
    });
}

export function migrationsChecksum(migrations: readonly Migration[]): string {
  const h = createHash('sha256');
  for (const m of migrations) h.update(`${m.version}\n${m.sql}\n`);
  return h.digest('hex').slice(0, 16);
}

// Supabase CLI's own bookkeeping table: `supabase db push` and this migrator each see what the other applied.
const BOOKKEEPING = `
  CREATE SCHEMA IF NOT EXISTS supabase_migrations;
  CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
    version text PRIMARY KEY, statements text[], name text
  );`;

export interface MigrateResult {
  applied: string[];
  current: string[];
}

/**
 * Applies every pending migration in one transaction under an advisory lock: either all pending files are applied,
 * or (on any error) none is and the schema is as it was.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): Promise<MigrateResult> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7306141112)`);
    await tx.query(BOOKKEEPING);
    const done = new Set(
      (await tx.query<{ version: string }>('SELECT version FROM supabase_migrations.schema_migrations')).map(
        (r) => r.version,
      ),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await tx.query(m.sql);
      } catch (err) {
        throw new Error(`migration ${m.version}_${m.name}.sql failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query(
        'INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ($1, $2, $3)',
        [m.version, m.name, [m.sql]],
      );
      applied.push(`${m.version}_${m.name}`);
    }
    return { applied, current: migrations.map((m) => `${m.version}_${m.name}`) };
  });
}

/**
 * Versions not yet applied (empty when the schema is current). Used by readiness checks. Read as the service role
 * (20261207030000_api_login_role grants it the versions), since the api's login role reads nothing by itself; before
 * that grant exists, as the connecting user, and when neither may read them, every version counts as pending.
 */
export async function pendingMigrations(
  db: Db,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<string[]> {
  const read = async (q: Queryable): Promise<Set<string> | null> => {
    const exists = await q.query<{ t: string | null }>(
      `SELECT to_regclass('supabase_migrations.schema_migrations') AS t`,
    );
    if (!exists[0]?.t) return null;
    const rows = await q.query<{ version: string }>('SELECT version FROM supabase_migrations.schema_migrations');
    return new Set(rows.map((r) => r.version));
  };
  // 42501: no privilege; 22023 or 42704: the service role does not exist yet (nothing migrated); 3F000: no schema.
  const denied = (err: unknown) => ['42501', '22023', '42704', '3F000'].includes(sqlState(err) ?? '');
  let done: Set<string> | null;
  try {
    done = await db.asRequest({ role: 'service_role', claims: {} }, read);
  } catch (err) {
    if (!denied(err)) throw err;
    try {
      done = await db.transaction(read);
    } catch (again) {
      if (!denied(again)) throw again;
      done = null;
    }
  }
  return migrations.filter((m) => !done?.has(m.version)).map((m) => m.version);
}
