// Shared set-up for the api's tests: one fresh database per backend (PGlite always, PostgreSQL when DATABASE_URL is
// set), the app built on it, and factories that make unique owners, vendors and signed-in users.
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { SignalPayloadInput } from '@neuronetiq/contracts';
import { createDb, type Db } from '@neuronetiq/db';
import { type Backend, createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { type BuildAppOptions, buildApp } from './app';

export const SERVICE_KEY = 'test-service-key-0123456789abcdef0123456789';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';

export interface ApiTestContext {
  backend: Backend;
  /** The test's database; `database.db` is the owner's connection (fixtures and checks). */
  database: TestDatabase;
  /**
   * What the app is connected with: on PostgreSQL the login role nq_api (as in production: it can only SET ROLE to
   * anon, authenticated and service_role); on PGlite the owner, the embedded database's only user.
   */
  apiDb: Db;
  app: FastifyInstance;
  /** The api's clock; tests move it. */
  clock: { now: number };
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  asService(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/** Declares `fn`'s tests once per database backend, each with its own database and app. */
export function describeEachBackend(
  name: string,
  fn: (ctx: () => ApiTestContext) => void,
  options: Partial<BuildAppOptions> | ((database: TestDatabase) => Partial<BuildAppOptions>) = {},
): void {
  for (const backend of testBackends()) {
    describe(`${name} [${backend}]`, () => {
      let ctx: ApiTestContext | undefined;
      before(async () => {
        const database = await createTestDatabase(backend);
        const apiDb = database.loginUrl
          ? createDb(database.loginUrl, { max: 10, applicationName: 'test-api' })
          : database.db;
        const clock = { now: Date.parse('2026-01-05T12:00:30Z') };
        const app = await buildApp({
          db: apiDb,
          serviceRoleKey: SERVICE_KEY,
          jwtSecret: JWT_SECRET,
          now: () => clock.now,
          // Tests send many bad credentials from one address on purpose; auth-failures.test.ts sets its own limit.
          authFailuresPerMinute: 100_000,
          ...(typeof options === 'function' ? options(database) : options),
        });
        await app.ready();
        ctx = {
          backend,
          database,
          apiDb,
          app,
          clock,
          inject: (o) => app.inject(o),
          asService: (o) =>
            app.inject({ ...o, headers: { authorization: `Bearer ${SERVICE_KEY}`, ...(o.headers ?? {}) } }),
        };
      });
      after(async () => {
        await ctx?.app.close();
        if (ctx && ctx.apiDb !== ctx.database.db) await ctx.apiDb.end();
        await ctx?.database.close();
      });
      fn(() => {
        if (!ctx) throw new Error('test context used before set-up');
        return ctx;
      });
    });
  }
}

/**
 * Runs `fn` with the api's clock at `ms`, then puts it back: writes are refused for bars more than one bar ahead of the
 * clock (BAR_IN_FUTURE), so a test storing a history ahead of the default time writes it from a later "now".
 */
export async function atTime<T>(ctx: Pick<ApiTestContext, 'clock'>, ms: number, fn: () => Promise<T>): Promise<T> {
  const saved = ctx.clock.now;
  ctx.clock.now = ms;
  try {
    return await fn();
  } finally {
    ctx.clock.now = saved;
  }
}

export const uniqueSlug = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A signal for a bar that is open at the test clock's default time (2026-01-05T12:00:30Z) on 1m. */
export function signal(overrides: Partial<SignalPayloadInput> = {}): SignalPayloadInput {
  return {
    owner: 'pacey999',
    model_id: 'test-model',
    symbol: 'EURUSD',
    timeframe: '1m',
    bar_ts: '2026-01-05T12:00:00Z',
    decision: 'BUY',
    confidence: 0.8,
    meta: { rsi: 28.1 },
    ...overrides,
  };
}

/** A consensus of two models for the bar that is open at the test clock's default time, on 1m. */
export const consensus = (owner: string, overrides: Record<string, unknown> = {}) => ({
  owner,
  symbol: 'EURUSD',
  timeframe: '1m',
  bar_ts: '2026-01-05T12:00:00Z',
  decision: 'BUY',
  confidence: 0.7,
  contributors: [
    { model_id: 'baseline-rsi-001', decision: 'BUY', confidence: 0.8, weight: 0.5 },
    { model_id: 'macd-cross-001', decision: 'NEUTRAL', confidence: 0.4, weight: 0.5 },
  ],
  meta: {},
  ...overrides,
});

export interface Vendor {
  owner: string;
  key: string;
  keyId: string;
  modelId: string;
  auth: { authorization: string };
}

/** A vendor with one registered model and an API key (all scopes), created through the api as the service. */
export async function createVendor(ctx: ApiTestContext, owner = uniqueSlug('vendor')): Promise<Vendor> {
  const modelId = uniqueSlug('model');
  const model = await ctx.asService({
    method: 'POST',
    url: '/api/models',
    payload: { owner, model_id: modelId, name: `Model of ${owner}` },
  });
  if (model.statusCode !== 201) throw new Error(`register model: ${model.statusCode} ${model.body}`);
  const key = await ctx.asService({ method: 'POST', url: '/api/keys', payload: { owner, name: 'test key' } });
  if (key.statusCode !== 201) throw new Error(`create key: ${key.statusCode} ${key.body}`);
  const data = key.json().data as { key: string; id: string };
  return { owner, key: data.key, keyId: data.id, modelId, auth: { authorization: `Bearer ${data.key}` } };
}

export interface TestUser {
  userId: string;
  token: string;
  auth: { authorization: string };
}

/**
 * A user as Supabase Auth would create one (auth.users + the provider's identity), and a session token for them.
 * `github` takes a login, `google` an e-mail.
 */
export async function createUser(
  ctx: Pick<ApiTestContext, 'database'>,
  identity: { provider: 'github'; login: string } | { provider: 'google'; email: string },
): Promise<TestUser> {
  const userId = randomUUID();
  const identityData =
    identity.provider === 'github'
      ? { user_name: identity.login, full_name: `${identity.login} (GitHub)` }
      : { email: identity.email, full_name: identity.email, email_verified: true };
  const email = identity.provider === 'google' ? identity.email : `${identity.login}@users.noreply.github.com`;
  await ctx.database.db.query(
    `INSERT INTO auth.users (id, email, raw_app_meta_data, raw_user_meta_data) VALUES ($1, $2, $3, $4)`,
    [userId, email, { provider: identity.provider }, identityData],
  );
  await ctx.database.db.query(
    `INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, email) VALUES ($1, $2, $3, $4, $5)`,
    [randomUUID(), userId, identityData, identity.provider, email],
  );
  const token = await new SignJWT({
    role: 'authenticated',
    email,
    app_metadata: { provider: identity.provider },
    user_metadata: identityData,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  return { userId, token, auth: { authorization: `Bearer ${token}` } };
}

/** The model ids the tests' consensus rows list as contributors. */
export const CONTRIBUTOR_MODELS = ['baseline-rsi-001', 'macd-cross-001'] as const;

/**
 * Registers `modelIds` to `owner` through the api as the service (409, already registered, is fine): a consensus may
 * list only its owner's registered models. Resolves with the owner.
 */
export async function registerModels(
  ctx: Pick<ApiTestContext, 'asService'>,
  owner: string,
  modelIds: readonly string[] = CONTRIBUTOR_MODELS,
): Promise<string> {
  for (const model_id of modelIds) {
    const res = await ctx.asService({
      method: 'POST',
      url: '/api/models',
      payload: { owner, model_id, name: model_id },
    });
    if (res.statusCode !== 201 && res.statusCode !== 409) throw new Error(`register ${model_id}: ${res.body}`);
  }
  return owner;
}
