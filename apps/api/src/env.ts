import { EmbeddedDataDirEnv, parseEnv as parseServiceEnv, ServiceRoleKeySchema } from '@neuronetiq/service/env';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

/** Every variable the api reads, with its default. A bad value stops the boot with a message naming it. */
export const EnvSchema = z.object({
  /** Port of the HTTP server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Interface to listen on. */
  HOST: z.string().default('0.0.0.0'),
  /**
   * Port of GET /metrics (Prometheus), served apart from the api so that the public service never exposes it. Unset:
   * no metrics server. deploy/fly.api.toml sets 9091 (scraped by Fly over its private network).
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Interface of the metrics server. */
  METRICS_HOST: z.string().default('0.0.0.0'),
  /** PostgreSQL (or Supabase) connection string. Unset: the embedded PGlite database under EMBEDDED_DATA_DIR. */
  DATABASE_URL: z.string().url({ error: 'must be a postgres:// URL' }).optional(),
  /**
   * A session connection (direct, or Supabase's session pooler on 5432) for what a transaction-mode pooler cannot
   * carry: the LISTEN that wakes GET /api/stream. Unset: DATABASE_URL.
   */
  DATABASE_DIRECT_URL: z.string().url({ error: 'must be a postgres:// URL' }).optional(),
  /**
   * The owning role's connection string, used only to apply migrations at start-up (MIGRATE_ON_START) and closed
   * after: DATABASE_URL then names the api's login role nq_api, which can only SET ROLE to anon, authenticated and
   * service_role (docs/deploy.md). Unset: migrations run over DATABASE_URL (the owner, as in development).
   */
  DATABASE_MIGRATION_URL: z.string().url({ error: 'must be a postgres:// URL' }).optional(),
  ...EmbeddedDataDirEnv,
  /** Bearer token of the service principal (orchestrator, cron). At least 32 characters. Unset: a random one per boot, printed at start. */
  SERVICE_ROLE_KEY: ServiceRoleKeySchema.optional(),
  /** HS256 secret of user session JWTs (Supabase's JWT secret). Unset: user sessions are not accepted. */
  SUPABASE_JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /**
   * Required issuer (`iss`) of session tokens, e.g. `https://<project>.supabase.co/auth/v1`. Unset: `iss` is not
   * checked (`exp`, `aud` = authenticated and a UUID `sub` always are).
   */
  SUPABASE_JWT_ISSUER: z.string().min(1).optional(),
  /** Secret the payment provider signs its webhooks with (HMAC-SHA256). Unset: a random one per boot. */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** Origin(s) of the web app allowed by CORS, comma-separated. */
  WEB_ORIGIN: z.string().default('http://localhost:3000'),
  /** Largest request body in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Largest CSV accepted by POST /api/marketdata/import, in bytes. */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(268_435_456),
  /** Requests per minute per vendor key, user or IP (the service principal is not limited). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** Failed authentications (401s) per client address and minute; past it the address is answered 429 for the minute. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /**
   * Which proxies' X-Forwarded-For gives the client address (rate limits): false (the socket's address), true (any),
   * or comma-separated addresses/CIDRs of the proxies (Fly: 172.16.0.0/12, where its proxy connects from).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): boolean | string[] => {
      const t = v.trim();
      if (t === 'false' || t === '') return false;
      if (t === 'true') return true;
      const list = t.split(',').map((a) => a.trim());
      if (list.every((a) => /^[0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*(\/\d{1,3})?$/.test(a))) return list;
      ctx.addIssue({
        code: 'custom',
        message: 'must be true, false or comma-separated addresses/CIDRs of the proxies',
      });
      return z.NEVER;
    }),
  /** Apply pending migrations at start-up. */
  MIGRATE_ON_START: bool.default(true),
  /** Database pool size. */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  /**
   * Named prepared statements: auto (on for PostgreSQL, off for the embedded database), or true/false. Set false
   * behind a transaction-mode pooler (Supabase's port 6543), which cannot keep a statement across transactions.
   */
  DB_PREPARED_STATEMENTS: z
    .enum(['auto', 'true', 'false'], { error: 'must be auto, true or false' })
    .default('auto')
    .transform((v) => (v === 'auto' ? ('auto' as const) : v === 'true')),
  /** GET /api/stream: how often the event log is polled where no NOTIFY arrives (the embedded database), in ms. */
  STREAM_POLL_MS: z.coerce.number().int().min(10).max(250, { error: 'must be at most 250 ms' }).default(200),
  /** GET /api/stream: interval of the heartbeat comments that keep idle connections (and proxies) open, in ms. */
  STREAM_HEARTBEAT_MS: z.coerce.number().int().min(1000).default(15_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof EnvSchema>;

/**
 * NODE_ENV=production (deploy/): no embedded database, no random per-boot keys (a second machine, or a restart, would
 * disagree with the first), user sessions on, and no development or example value in a secret.
 */
export const PRODUCTION_RULES = {
  required: ['DATABASE_URL', 'SERVICE_ROLE_KEY', 'SUPABASE_JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET'],
  secrets: ['SERVICE_ROLE_KEY', 'SUPABASE_JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET'],
} as const;

/** Parses the api's variables (process.env unless given); throws naming every bad one. */
export function parseEnv(source: Readonly<Record<string, string | undefined>> = process.env): Env {
  return parseServiceEnv(EnvSchema, source, 'api', PRODUCTION_RULES);
}
