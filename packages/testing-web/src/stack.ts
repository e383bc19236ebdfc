// The whole web stack for a browser test or a benchmark, on loopback: a fresh database (PGlite, or a database on the
// PostgreSQL at DATABASE_URL), the api on it, the GitHub and Google stand-ins, and the built web app (`next start`;
// built at most once per source tree, see apps/web/scripts/build.ts) configured to sign in through the stand-ins.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
// biome-ignore lint/style/noRestrictedImports: test support: it starts the api it tests, as bench/ does
import { buildApp } from '@neuronetiq/api';
import { createTestPaymentProvider, type TestPaymentProvider } from '@neuronetiq/api/testing';
import { type Backend, createTestDatabase, type TestDatabase } from '@neuronetiq/db/testing';
import { ensureWebBuild, startWeb } from '@neuronetiq/web/testing';
import { type GitHubOAuthServer, type GitHubUser, startGitHubOAuthServer } from './github-oauth';
import { type GoogleOidcServer, type GoogleUser, startGoogleOidcServer } from './google-oidc';

export const STACK_GITHUB_USERS: GitHubUser[] = [
  { id: 7_100_001, login: 'Alice-Vendor', name: 'Alice Vendor', email: 'alice@example.com' },
  { id: 7_100_002, login: 'bob-quant', name: 'Bob Quant', email: null },
];
export const STACK_GOOGLE_USERS: GoogleUser[] = [
  { sub: '118000000000000000001', email: 'carol.trader@example.com', name: 'Carol Trader' },
];

export interface WebStack {
  backend: Backend;
  database: TestDatabase;
  apiUrl: string;
  webUrl: string;
  serviceKey: string;
  jwtSecret: string;
  github: GitHubOAuthServer;
  google: GoogleOidcServer;
  /** The api's payment provider (the test one): its charges, and renewals that pay or fail, as Stripe would send. */
  payments: TestPaymentProvider;
  /** POSTs a signed delivery of `payments` to the api's payment webhook; returns the answer's status. */
  sendPaymentWebhook(delivery: { body: string; signature: string }): Promise<number>;
  /** A request to the api as the service principal (what the orchestrator sends). */
  asService(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  /** The owner of a stand-in GitHub user, made as their first sign-in makes it (same numeric id, same owner). */
  ensureGitHubOwner(user: GitHubUser): Promise<string>;
  /** Registers a model for `owner` as the service principal. */
  registerModel(owner: string, modelId: string, visibility: 'public' | 'private'): Promise<void>;
  /** Stores signals through `POST /api/signals/batch` as the service principal (what the orchestrator does). */
  storeSignals(signals: Record<string, unknown>[]): Promise<void>;
  /** Stores `count` closed 1m bars of `symbol` ending at the current minute (a seeded random walk). */
  storeBars(symbol: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export interface StartWebStackOptions {
  backend: Backend;
  /** Server logs of the api and the web app (default: dropped). */
  log?: (line: string) => void;
  /** Extra web app variables (e.g. AUTH_DEV_LOGIN). */
  webEnv?: Record<string, string>;
}

/** A port free right now on 127.0.0.1 (`next start` cannot listen on 0 and tell us which port it got). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let building: Promise<boolean> | undefined;
/** `next build` once per process at most (and not at all when the build is of the same sources). */
export function buildWebOnce(log?: (line: string) => void): Promise<boolean> {
  if (!building) building = ensureWebBuild({ log: log ?? (() => {}) });
  return building;
}

export async function startWebStack(options: StartWebStackOptions): Promise<WebStack> {
  const log = options.log ?? (() => {});
  const serviceKey = randomBytes(24).toString('hex');
  const jwtSecret = randomBytes(24).toString('hex');
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => log(`close failed: ${String(err)}`));
  };
  try {
    const [database, webPort] = await Promise.all([
      createTestDatabase(options.backend),
      freePort(),
      buildWebOnce(log),
    ]).then(([d, p]) => [d, p] as const);
    closers.push(() => database.close());
    const webUrl = `http://127.0.0.1:${webPort}`;

    const payments = createTestPaymentProvider({ webhookSecret: randomBytes(24).toString('hex') });
    const api = await buildApp({
      db: database.db,
      serviceRoleKey: serviceKey,
      jwtSecret,
      webOrigins: [webUrl],
      payments,
    });
    const apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => api.close());

    // better-auth 1.7 sends its generic OAuth providers back to /api/auth/callback/<providerId>.
    const callback = (provider: string) => `${webUrl}/api/auth/callback/${provider}`;
    const githubClient = { clientId: 'Iv1.e2e', clientSecret: randomBytes(20).toString('hex') };
    const googleClient = { clientId: 'e2e.apps.googleusercontent.com', clientSecret: randomBytes(20).toString('hex') };
    const github = await startGitHubOAuthServer({
      users: STACK_GITHUB_USERS,
      clients: [{ ...githubClient, redirectUris: [callback('github')] }],
    });
    closers.push(() => github.close());
    const google = await startGoogleOidcServer({
      users: STACK_GOOGLE_USERS,
      clients: [{ ...googleClient, redirectUris: [callback('google')] }],
    });
    closers.push(() => google.close());

    const web = await startWeb({
      port: webPort,
      host: '127.0.0.1',
      log,
      env: {
        WEB_URL: webUrl,
        INFRA_API_URL: apiUrl,
        DATABASE_URL: database.url,
        SERVICE_ROLE_KEY: serviceKey,
        SUPABASE_JWT_SECRET: jwtSecret,
        BETTER_AUTH_SECRET: randomBytes(24).toString('hex'),
        GITHUB_CLIENT_ID: githubClient.clientId,
        GITHUB_CLIENT_SECRET: githubClient.clientSecret,
        GITHUB_OAUTH_URL: github.url,
        GITHUB_API_URL: github.url,
        GOOGLE_CLIENT_ID: googleClient.clientId,
        GOOGLE_CLIENT_SECRET: googleClient.clientSecret,
        GOOGLE_ISSUER: google.issuer,
        AUTH_DEV_LOGIN: 'false',
        ...options.webEnv,
      },
    });
    closers.push(() => web.stop());

    const asService = (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${apiUrl}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${serviceKey}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    return {
      backend: options.backend,
      database,
      apiUrl,
      webUrl,
      serviceKey,
      jwtSecret,
      github,
      google,
      payments,
      sendPaymentWebhook: async (delivery) => {
        const res = await fetch(`${apiUrl}/api/payments/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature },
          body: delivery.body,
        });
        await res.arrayBuffer();
        return res.status;
      },
      asService,
      ensureGitHubOwner: async (user) => {
        const res = await asService('/api/auth/identity', {
          body: { provider: 'github', provider_user_id: String(user.id), user_name: user.login },
        });
        if (!res.ok) throw new Error(`identity upsert failed: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { owner: string }).owner;
      },
      registerModel: async (owner, modelId, visibility) => {
        const res = await asService('/api/models', {
          body: {
            owner,
            model_id: modelId,
            name: `${modelId} (e2e)`,
            description: `Test model ${modelId}`,
            visibility,
          },
        });
        if (!res.ok) throw new Error(`model registration failed: ${res.status} ${await res.text()}`);
      },
      storeSignals: async (signals) => {
        const res = await asService('/api/signals/batch', { body: { signals } });
        if (!res.ok) throw new Error(`storing signals failed: ${res.status} ${await res.text()}`);
      },
      storeBars: async (symbol, count) => {
        const end = Math.floor(Date.now() / 60_000) * 60_000;
        let price = 100;
        let seed = 42;
        const next = () => {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
          return seed / 2 ** 31 - 0.5;
        };
        const bars = Array.from({ length: count }, (_, i) => {
          const open = price;
          const close = Math.max(1, open * (1 + next() * 0.004));
          price = close;
          const high = Math.max(open, close) * (1 + Math.abs(next()) * 0.001);
          const low = Math.min(open, close) * (1 - Math.abs(next()) * 0.001);
          const round = (x: number) => Math.round(x * 10_000) / 10_000;
          return {
            symbol,
            timeframe: '1m',
            bar_ts: new Date(end - (count - i) * 60_000).toISOString(),
            open: round(open),
            high: round(high),
            low: round(low),
            close: round(close),
            volume: Math.round(1000 + next() * 500),
          };
        });
        const res = await asService('/api/marketdata/ohlcv', { body: { bars } });
        if (!res.ok) throw new Error(`storing bars failed: ${res.status} ${await res.text()}`);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
