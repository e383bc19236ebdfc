import { z } from 'zod';

/** Environment of `npm run db:migrate`. */
const MigrateEnvSchema = z.object({
  /** PostgreSQL to migrate; unset: the embedded database under PGLITE_DATA_DIR. */
  DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// URL' })
      .optional(),
  ),
  PGLITE_DATA_DIR: z.string().default('.data/pglite'),
  /** Folder of the SQL files; unset: supabase/migrations of this repository. */
  MIGRATIONS_DIR: z.string().optional(),
});

export function parseMigrateEnv(source: Record<string, string | undefined> = process.env) {
  const parsed = MigrateEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `invalid environment:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}
