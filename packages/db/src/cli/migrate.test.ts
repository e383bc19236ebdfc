import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findMigrationsDir, loadMigrations } from '../migrate';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const count = loadMigrations().length;
const runCli = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'packages/db/src/cli/migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });

describe('npm run db:migrate (the CLI, on an embedded database folder)', () => {
  test('applies every migration, then reports the schema current', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nq-migrate-'));
    try {
      const first = runCli({ PGLITE_DATA_DIR: join(dir, 'db') });
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`applied ${count} migration\\(s\\)`));
      const second = runCli({ PGLITE_DATA_DIR: join(dir, 'db') });
      assert.equal(second.status, 0, second.stderr);
      assert.match(second.stdout, /schema is current/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a failing migration exits 1, names the file, and applies nothing of the batch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nq-migrate-'));
    try {
      const migrations = join(dir, 'migrations');
      cpSync(findMigrationsDir(), migrations, { recursive: true });
      writeFileSync(join(migrations, '29990101000000_broken.sql'), 'CREATE TABLE ml.half (x int);\nSELECT 1/0;\n');
      const failed = runCli({ PGLITE_DATA_DIR: join(dir, 'db'), MIGRATIONS_DIR: migrations });
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, /29990101000000_broken\.sql failed: division by zero/);
      rmSync(join(migrations, '29990101000000_broken.sql'));
      const retry = runCli({ PGLITE_DATA_DIR: join(dir, 'db'), MIGRATIONS_DIR: migrations });
      assert.match(
        retry.stdout,
        new RegExp(`applied ${count} migration\\(s\\)`),
        'nothing of the failed batch had been kept',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a malformed DATABASE_URL stops it with exit 2 naming the variable', () => {
    const r = runCli({ DATABASE_URL: 'mysql://x' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /DATABASE_URL: DATABASE_URL must be a postgres:\/\/ URL/);
  });
});
