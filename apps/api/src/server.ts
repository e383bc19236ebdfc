import { randomBytes } from 'node:crypto';
import { createDb, type Db, migrate, sqlState, startEmbeddedDatabase } from '@neuronetiq/db';
import { startHealthServer } from '@neuronetiq/service';
import { embeddedDataDir } from '@neuronetiq/service/env';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Env } from './env';
import { apiLoggerOptions } from './http/logger';

/**
 * Applies pending migrations as the owning role: over DATABASE_MIGRATION_URL (a pool of one, closed after) when set,
 * else over the api's own connection. A login role that may not migrate gets a message saying what to set.
 */
async function migrateAtStart(db: Db, migrationUrl: string | undefined): Promise<void> {
  const owner = migrationUrl ? createDb(migrationUrl, { max: 1, applicationName: 'api-migrate' }) : db;
  try {
    await migrate(owner);
  } catch (err) {
    if (!migrationUrl && (sqlState(err) ?? sqlState((err as Error).cause)) === '42501') {
      throw new Error(
        `DATABASE_URL's role may not apply migrations (${(err as Error).message}): set DATABASE_MIGRATION_URL to the owning role's connection string, or MIGRATE_ON_START=false and run npm run db:migrate as the owner`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    if (owner !== db) await owner.end();
  }
}

export interface ApiServer {
  app: FastifyInstance;
  url: string;
  /** `http://<METRICS_HOST>:<port>/metrics` when METRICS_PORT is set. */
  metricsUrl: string | null;
  serviceRoleKey: string;
  stop(): Promise<void>;
}

/**
 * Owns the process side of the api: the database (embedded PGlite under EMBEDDED_DATA_DIR unless DATABASE_URL is set),
 * migrations at start-up, the logger, listening, and a graceful close (in-flight requests finish, then the pool ends).
 */
export async function startApiServer(env: Env, overrides: { db?: Db } = {}): Promise<ApiServer> {
  const dataDir = embeddedDataDir(env);
  const embedded = overrides.db || env.DATABASE_URL ? null : await startEmbeddedDatabase({ dataDir: dataDir.dir });
  const db =
    overrides.db ??
    createDb(env.DATABASE_URL ?? (embedded?.url as string), {
      max: env.DB_POOL_MAX,
      applicationName: 'api',
      prepare: env.DB_PREPARED_STATEMENTS,
    });
  if (env.MIGRATE_ON_START) await migrateAtStart(db, env.DATABASE_MIGRATION_URL);
  const serviceRoleKey = env.SERVICE_ROLE_KEY ?? randomBytes(32).toString('base64url');
  const app = await buildApp({
    db,
    serviceRoleKey,
    jwtSecret: env.SUPABASE_JWT_SECRET,
    jwtIssuer: env.SUPABASE_JWT_ISSUER,
    paymentWebhookSecret: env.PAYMENT_WEBHOOK_SECRET,
    webOrigins: env.WEB_ORIGIN.split(',').map((s) => s.trim()),
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    importMaxBytes: env.IMPORT_MAX_BYTES,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
    trustProxy: env.TRUST_PROXY,
    logger: apiLoggerOptions(env.LOG_LEVEL),
    stream: {
      // LISTEN needs a session: behind a transaction-mode pooler DATABASE_DIRECT_URL names one.
      databaseUrl: env.DATABASE_DIRECT_URL ?? env.DATABASE_URL ?? embedded?.url,
      pollMs: env.STREAM_POLL_MS,
      heartbeatMs: env.STREAM_HEARTBEAT_MS,
    },
  });
  if (dataDir.deprecation && embedded) app.log.warn(dataDir.deprecation);
  const address = await app.listen({ port: env.PORT, host: env.HOST });
  // Prometheus metrics on their own port, which the public service (deploy/fly.api.toml) does not expose.
  const metricsServer =
    env.METRICS_PORT === undefined
      ? null
      : await startHealthServer({ port: env.METRICS_PORT, host: env.METRICS_HOST, metrics: app.apiMetrics.registry });
  if (!env.SERVICE_ROLE_KEY) {
    app.log.warn('SERVICE_ROLE_KEY is not set: generated a random service key for this run (see .env.example)');
  }
  return {
    app,
    url: address,
    metricsUrl: metricsServer ? `http://${env.METRICS_HOST}:${metricsServer.port}/metrics` : null,
    serviceRoleKey,
    async stop() {
      await metricsServer?.close();
      await app.close();
      if (!overrides.db) await db.end();
      await embedded?.close();
    },
  };
}
