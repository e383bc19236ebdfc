import { EmbeddedDataDirEnv, embeddedDataDir, parseEnv } from '@neuronetiq/service/env';
import { z } from 'zod';

/** Environment of `npm run db:migrate`. */
const MigrateEnvSchema = z.object({
  /** PostgreSQL to migrate; unset: the embedded database under EMBEDDED_DATA_DIR. */
  DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// URL' })
      .optional(),
  ),
  ...EmbeddedDataDirEnv,
  /** Folder of the SQL files; unset: supabase/migrations of this repository. */
  MIGRATIONS_DIR: z.string().optional(),
});

/** Parses the migrate command's variables (process.env unless given); throws naming every bad one. */
export function parseMigrateEnv(source: Readonly<Record<string, string | undefined>> = process.env) {
  const e = parseEnv(MigrateEnvSchema, source, 'db:migrate');
  return { ...e, embeddedDataDir: embeddedDataDir(e) };
}
