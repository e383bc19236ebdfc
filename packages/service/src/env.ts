import { z } from 'zod';

/** A bad environment: every offending variable, by name, with what to do. */
export class EnvError extends Error {
  readonly problems: string[];
  constructor(what: string, problems: string[]) {
    super(`invalid ${what} environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'EnvError';
    this.problems = problems;
  }
}

/**
 * Parses `source` (main.ts passes process.env) with a service's schema and returns the typed result, or throws an
 * EnvError naming every bad variable at once. Never exits: the caller's main.ts decides that.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Readonly<Record<string, string | undefined>>,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new EnvError(
    what,
    parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // zod's messages for a missing variable say "expected string, received undefined"; say which one.
      return name ? `${name}: ${issue.message}` : issue.message;
    }),
  );
}

/** `SERVICE_ROLE_KEY`'s one rule, in every service and script: a secret of at least 32 characters. */
export const ServiceRoleKeySchema = z
  .string({ error: 'SERVICE_ROLE_KEY must be set: the service key, a secret of at least 32 characters' })
  .min(32, { error: 'SERVICE_ROLE_KEY must be at least 32 characters' });

const DEFAULT_EMBEDDED_DATA_DIR = '.data/pglite';

/** The embedded database's folder variables: `EMBEDDED_DATA_DIR`, and the deprecated `PGLITE_DATA_DIR`. */
export const EmbeddedDataDirEnv = {
  /** Folder of the embedded database (PGlite) when DATABASE_URL is unset. */
  EMBEDDED_DATA_DIR: z.string().min(1).optional(),
  /** Deprecated name of EMBEDDED_DATA_DIR, still read. */
  PGLITE_DATA_DIR: z.string().min(1).optional(),
};

/** The embedded database's folder, and a line for the log when it was given under its deprecated name. */
export function embeddedDataDir(env: {
  EMBEDDED_DATA_DIR?: string | undefined;
  PGLITE_DATA_DIR?: string | undefined;
}): {
  dir: string;
  deprecation?: string;
} {
  if (env.EMBEDDED_DATA_DIR) return { dir: env.EMBEDDED_DATA_DIR };
  if (env.PGLITE_DATA_DIR) {
    return {
      dir: env.PGLITE_DATA_DIR,
      deprecation: 'PGLITE_DATA_DIR is deprecated; rename it EMBEDDED_DATA_DIR (same meaning)',
    };
  }
  return { dir: DEFAULT_EMBEDDED_DATA_DIR };
}
