// `npm start`: the whole platform on the embedded database, with live demo data.
// The database (PGlite, persisted in .data/pglite) runs in this process and is served over the PostgreSQL wire
// protocol; each service runs its own main.ts as a child process against it, configured only by environment, exactly
// as in production. Ctrl-C stops everything; the next `npm start` resumes from the same data.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createDb, type Db, type EmbeddedDatabase, migrate, repos, startEmbeddedDatabase } from '@neuronetiq/db';
import { runDemoBackfill } from '@neuronetiq/orchestrator';
import { parseEnv } from '@neuronetiq/service/env';
import { z } from 'zod';

const root = fileURLToPath(new URL('..', import.meta.url));
// Defaults are what a person wants; the variables exist so that a test can run a second platform beside the first.
const env = parseEnv(
  z.object({
    /** Where the embedded database and the service key live. */
    NQ_DATA_DIR: z.string().default(`${root}.data`),
    /** Added to every default port (8787, 7071, 8081, 8080, 9091, 3000, 54329). */
    NQ_PORT_OFFSET: z.coerce.number().int().min(0).max(11_000).default(0),
  }),
  process.env,
  'npm start',
);
const dataDir = env.NQ_DATA_DIR;
const port = (p: number) => p + env.NQ_PORT_OFFSET;
mkdirSync(dataDir, { recursive: true });

const DEMO_SYMBOLS = 'EURUSD,BTCUSDT';
const DEMO_TIMEFRAME = '1m';

// Secrets are kept with the data so that restarts keep working: outbox items parked before them (the service key),
// signed-in browsers (the session and token secrets).
function persistedSecret(name: string): string {
  const file = `${dataDir}/${name}`;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
const keyFile = `${dataDir}/service-role-key`;
const serviceRoleKey = persistedSecret('service-role-key');
const jwtSecret = persistedSecret('jwt-secret');
const webUrl = `http://localhost:${port(3000)}`;
const hasWeb = existsSync(`${root}apps/web/package.json`);

const t0 = Date.now();
const children = new Map<string, ChildProcess>();
let embedded: EmbeddedDatabase | undefined;
let db: Db | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;
let stopping = false;
// Resolves once the database is open and migrated (or failed to be): a Ctrl-C during a migration lets it finish
// before the database is closed.
let databaseReady: Promise<unknown> = Promise.resolve();

// Ctrl-C works from the first moment: before the database is up, while services start, and once everything runs.
// The services run in process groups of their own, so a terminal's Ctrl-C reaches this process alone and it stops
// them in order (orchestrator and cron before the api they write to, the database last).
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
// Whatever ends this process (a crash included) must not leave a service running on its ports.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
});

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping …');
  if (ticker) clearInterval(ticker);
  for (const s of [...services].reverse()) {
    const child = children.get(s.name);
    if (!child) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (children.has(s.name)) child.kill('SIGKILL');
  }
  await databaseReady.catch(() => {});
  await db?.end().catch(() => {});
  await embedded?.close().catch((err: Error) => console.error(`closing the database: ${err.message}`));
  console.log(`stopped; data kept in ${dataDir} (delete it to start afresh)`);
  process.exit(code);
}

interface Service {
  name: string;
  entry: string;
  port: number;
  url: string;
  env: Record<string, string>;
  extra?: string;
}
const services: Service[] = [];

function launch(s: Service): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', s.entry], {
    cwd: root,
    env: { ...process.env, ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => console.log(`[${s.name}] ${line}`));
  }
  child.on('exit', (code, signal) => {
    children.delete(s.name);
    if (!stopping) {
      console.error(`[${s.name}] exited (${signal ?? code}); stopping the platform`);
      void shutdown(1);
    }
  });
  children.set(s.name, child);
  return child;
}

async function waitHealthy(s: Service, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(s.name)) throw new Error(`${s.name} exited during start-up`);
    const ok = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${s.name} did not become healthy within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  if (hasWeb) console.log(`NeuronetIQ Trader will be at ${webUrl}`);
  // The web app's build (a no-op when its sources did not change) runs while the database and services start.
  const webBuild = hasWeb ? buildWeb() : Promise.resolve();
  webBuild.catch(() => {});
  console.log(`starting the embedded database (PGlite, ${dataDir}/pglite) …`);
  const opened = (async () => {
    embedded = await startEmbeddedDatabase({
      dataDir: `${dataDir}/pglite`,
      port: port(54329),
      maxConnections: 100,
    });
    db = createDb(embedded.url, { max: 2, applicationName: 'start' });
    const { applied } = await migrate(db);
    console.log(applied.length ? `applied ${applied.length} migration(s)` : 'schema is current');
    return embedded.url;
  })();
  databaseReady = opened;
  const databaseUrl = await opened;
  if (stopping) return;

  const common = { DATABASE_URL: databaseUrl, SERVICE_ROLE_KEY: serviceRoleKey, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  services.push(
    {
      name: 'api',
      entry: 'apps/api/src/main.ts',
      port: port(8787),
      url: `http://127.0.0.1:${port(8787)}`,
      env: {
        ...common,
        PORT: String(port(8787)),
        MIGRATE_ON_START: 'false',
        SUPABASE_JWT_SECRET: jwtSecret,
        WEB_ORIGIN: webUrl,
      },
      extra: `docs: http://127.0.0.1:${port(8787)}/docs`,
    },
    {
      name: 'worker',
      entry: 'apps/worker/src/main.ts',
      port: port(7071),
      url: `http://127.0.0.1:${port(7071)}`,
      env: { ...common, PORT: String(port(7071)) },
    },
    {
      name: 'cron',
      entry: 'apps/cron/src/main.ts',
      port: port(8081),
      url: `http://127.0.0.1:${port(8081)}`,
      env: {
        ...common,
        PORT: String(port(8081)),
        INFRA_API_URL: `http://127.0.0.1:${port(8787)}`,
        DEMO_SYMBOLS,
        DEMO_TIMEFRAME,
        DEMO_BACKFILL_BARS: '500',
        OUTBOX_DRAIN_INTERVAL_MS: '5000',
      },
      extra: `synthetic feed: ${DEMO_SYMBOLS} ${DEMO_TIMEFRAME}`,
    },
    {
      name: 'orchestrator',
      entry: 'apps/orchestrator/src/main.ts',
      port: port(8080),
      url: `http://127.0.0.1:${port(8080)}`,
      env: {
        ...common,
        PORT: String(port(8080)),
        METRICS_PORT: String(port(9091)),
        INFRA_API_URL: `http://127.0.0.1:${port(8787)}`,
        WORKER_URL: `http://127.0.0.1:${port(7071)}`,
        SYMBOLS: DEMO_SYMBOLS,
        TIMEFRAMES: DEMO_TIMEFRAME,
        SETTLE_DELAY_MS: '2000',
      },
      extra: `metrics: http://127.0.0.1:${port(9091)}/metrics`,
    },
  );
  if (hasWeb) {
    services.push({
      name: 'web',
      entry: 'apps/web/scripts/serve.ts',
      port: port(3000),
      url: `http://127.0.0.1:${port(3000)}`,
      env: {
        ...common,
        PORT: String(port(3000)),
        WEB_URL: webUrl,
        INFRA_API_URL: `http://127.0.0.1:${port(8787)}`,
        SUPABASE_JWT_SECRET: jwtSecret,
        BETTER_AUTH_SECRET: persistedSecret('session-secret'),
        // The embedded database is a person's own machine: sign in as any GitHub login without an OAuth app.
        AUTH_DEV_LOGIN: 'true',
      },
      extra: 'development sign-in on',
    });
  }
  const ready = (s: Service) => console.log(`  ✓ ${s.name.padEnd(12)} ${s.url}${s.extra ? `   (${s.extra})` : ''}`);
  // The web app comes up beside the others as soon as its build is done; a first build must not hold back the
  // services (signals flow meanwhile).
  const web = services.find((s) => s.name === 'web');
  for (const s of services) {
    if (stopping) return;
    if (s === web) continue;
    launch(s);
    await waitHealthy(s);
    ready(s);
  }
  if (web) {
    void (async () => {
      await webBuild;
      if (stopping) return;
      launch(web);
      await waitHealthy(web);
      ready(web);
      console.log(`\nOpen ${webUrl} for the marketplace.`);
    })().catch(async (err: Error) => {
      if (stopping) return;
      console.error(err.message);
      await shutdown(1);
    });
  }
  if (stopping) return;

  console.log(`
NeuronetIQ Trader is up in ${((Date.now() - t0) / 1000).toFixed(1)} s
${hasWeb ? `  web           ${webUrl}   (marketplace, dashboard, trading view; ready once built)\n` : ''}  database      ${databaseUrl}   (embedded PGlite, persisted in ${dataDir}/pglite)
  service key   in ${keyFile}
Signals and consensus for ${DEMO_SYMBOLS} arrive at every ${DEMO_TIMEFRAME} bar close. Try:
  curl -H "Authorization: Bearer $(cat ${keyFile})" "http://127.0.0.1:${port(8787)}/api/signals?limit=5"
Ctrl-C stops everything.
`);

  // Demo history: the built-in models over the feed's backfilled bars, for the orchestrator's default owner; stored
  // as backfilled (never passed off as live) so that track records are not empty on a first start.
  const workerUrl = `http://127.0.0.1:${port(7071)}`;
  runDemoBackfill({ db: db as Db, workerUrl, owner: 'pacey999', symbols: DEMO_SYMBOLS.split(','), timeframe: '1m' })
    .then((r) =>
      console.log(
        `demo history: ${r.stored} backfilled signals and ${r.consensus} consensus rows stored, ${r.scored} scored`,
      ),
    )
    .catch((err: Error) => console.error(`demo history backfill failed: ${err.message}`));

  let last = '';
  ticker = setInterval(async () => {
    const row = await repos.signals.totals(db as Db).catch(() => null);
    if (!row) return;
    const line = `stored so far: ${row.signals} signals, ${row.consensus} consensus rows; newest bar ${row.latest ?? '—'}`;
    if (line !== last) console.log(line);
    last = line;
  }, 10_000);
}

main().catch(async (err: Error) => {
  if (stopping) return;
  console.error(err.message);
  await shutdown(1);
});

/** `next build` of apps/web in a child process, unless the last build is of the same sources. */
function buildWeb(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/web/scripts/build.ts'], {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      if (code === 0) {
        console.log(`[web] ${output.trim().split('\n').at(-1)}`);
        resolve();
      } else reject(new Error(`building the web app failed:\n${output.slice(-3000)}`));
    });
  });
}
