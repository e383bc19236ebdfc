// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database under EMBEDDED_DATA_DIR
// when DATABASE_URL is unset. Exits 1, with the schema untouched, when a migration fails.
import { createDb } from '../client';
import { startEmbeddedDatabase } from '../embedded';
import { loadMigrations, migrate } from '../migrate';
import { parseMigrateEnv } from './env';

let env: ReturnType<typeof parseMigrateEnv>;
try {
  env = parseMigrateEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (env.embeddedDataDir.deprecation && !env.DATABASE_URL) console.error(env.embeddedDataDir.deprecation);
const embedded = env.DATABASE_URL ? null : await startEmbeddedDatabase({ dataDir: env.embeddedDataDir.dir });
const db = createDb(env.DATABASE_URL ?? (embedded?.url as string), { max: 1, applicationName: 'migrate' });
try {
  const { applied, current } = await migrate(db, loadMigrations(env.MIGRATIONS_DIR));
  console.log(
    applied.length
      ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
      : `schema is current (${current.length} migrations)`,
  );
} catch (err) {
  console.error(`migration failed, nothing was applied: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.end();
  await embedded?.close();
}
