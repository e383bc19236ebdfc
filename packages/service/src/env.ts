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
  production: ProductionRules = {},
): z.output<S> {
  const parsed = schema.safeParse(source);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        // zod's messages for a missing variable say "expected string, received undefined"; say which one.
        return name ? `${name}: ${issue.message}` : issue.message;
      });
  if (isProduction(source)) problems.push(...productionProblems(source, production));
  if (problems.length > 0 || !parsed.success) throw new EnvError(what, problems);
  return parsed.data;
}

/**
 * What a service may not run with in production (`NODE_ENV=production`, which every image in deploy/ sets):
 * `required` variables whose development fallback (the embedded database, a random key per boot) must not stand in,
 * and `secrets` whose value must not be a development or example one.
 */
export interface ProductionRules {
  required?: readonly string[];
  secrets?: readonly string[];
}

/** True where the service runs as deployed: `NODE_ENV=production`. */
export function isProduction(source: Readonly<Record<string, string | undefined>>): boolean {
  return source.NODE_ENV === 'production';
}

// Values people paste from examples and tutorials (Supabase's local JWT secret is "super-secret-jwt-token-with-at-least-
// 32-characters-long"). A generated secret (openssl rand -base64 32) contains none of them
// in practice and has far more than 10 distinct characters.
const PLACEHOLDER =
  /super[-_ ]?secret|change[-_ ]?me|example|placeholder|your[-_ ]|replace[-_ ]?me|dev[-_ ]?(key|secret)|not[-_ ]?secret/i;
const MIN_DISTINCT_CHARS = 10;

/** Why `value` looks like a development or example secret, or undefined when it does not. */
export function placeholderReason(value: string): string | undefined {
  const match = PLACEHOLDER.exec(value);
  if (match) return `looks like an example value (contains "${match[0]}")`;
  if (new Set(value).size < MIN_DISTINCT_CHARS) return `has fewer than ${MIN_DISTINCT_CHARS} distinct characters`;
  return undefined;
}

function productionProblems(source: Readonly<Record<string, string | undefined>>, rules: ProductionRules): string[] {
  const problems: string[] = [];
  for (const name of rules.required ?? []) {
    if (!source[name]) problems.push(`${name}: must be set when NODE_ENV=production (its development fallback is off)`);
  }
  for (const name of rules.secrets ?? []) {
    const value = source[name];
    const reason = value ? placeholderReason(value) : undefined;
    if (reason) {
      problems.push(
        `${name}: ${reason}, refused when NODE_ENV=production; generate one with \`openssl rand -base64 32\``,
      );
    }
  }
  return problems;
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
