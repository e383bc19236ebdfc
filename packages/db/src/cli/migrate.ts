// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database under PGLITE_DATA_DIR
// when DATABASE_URL is unset. Exits 1, with the schema untouched, when a migration fails.
import { loadMigrations, migrate } from '../migrate';
import { openCliDatabase } from './database';

const { env, db, close } = await openCliDatabase('migrate');
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
  await close();
}
