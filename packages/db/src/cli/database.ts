import { createDb, type Db } from '../client';
import { startEmbeddedDatabase } from '../embedded';
import { parseMigrateEnv } from './env';

/**
 * The database a db command works on: DATABASE_URL, or the embedded one under EMBEDDED_DATA_DIR when it is unset. A bad
 * environment ends the process with exit code 2 and the message naming the variable.
 */
export async function openCliDatabase(
  applicationName: string,
): Promise<{ env: ReturnType<typeof parseMigrateEnv>; db: Db; close(): Promise<void> }> {
  let env: ReturnType<typeof parseMigrateEnv>;
  try {
    env = parseMigrateEnv();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (env.embeddedDataDir.deprecation && !env.DATABASE_URL) console.error(env.embeddedDataDir.deprecation);
  const embedded = env.DATABASE_URL ? null : await startEmbeddedDatabase({ dataDir: env.embeddedDataDir.dir });
  const db = createDb(env.DATABASE_URL ?? (embedded?.url as string), { max: 1, applicationName });
  return {
    env,
    db,
    async close() {
      await db.end();
      await embedded?.close();
    },
  };
}
