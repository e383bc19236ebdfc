// Production runs each service on its own: `npm run build -w <app>` bundles src/main.ts into dist/main.js, started
// with `node apps/<name>/dist/main.js` and configured only by environment (deploy/). This test builds all four, starts
// them as separate processes against a fresh database (PostgreSQL when DATABASE_URL is set, else the embedded one),
// with nothing migrated beforehand, and checks that together they store signals; then SIGTERM stops each with exit 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';

const root = fileURLToPath(new URL('..', import.meta.url));
const APPS = ['api', 'worker', 'orchestrator', 'cron'] as const;
type AppName = (typeof APPS)[number];
// Its own output folder, so that another test building dist/ at the same time cannot interleave with this one.
const OUT = `.dist-test-${process.pid}`;
const SERVICE_KEY = randomBytes(32).toString('base64url');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const got = await probe();
      if (got !== undefined) return got;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

const backend = testBackends().includes('postgres') ? 'postgres' : 'pglite';

describe(`the production builds, each in its own process [${backend}]`, () => {
  let database: TestDatabase;
  const children = new Map<AppName, { child: ChildProcess; output: () => string }>();

  before(async () => {
    for (const app of APPS) {
      const build = spawnSync(process.execPath, ['../../scripts/build-app.mjs', `${OUT}/main.js`], {
        cwd: `${root}apps/${app}`,
        encoding: 'utf8',
      });
      assert.equal(build.status, 0, `building ${app}: ${build.stderr}`);
    }
    database = await createTestDatabase(backend, { migrate: false });
  });

  after(async () => {
    for (const { child } of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
    await database?.close();
    for (const app of APPS) rmSync(`${root}apps/${app}/${OUT}`, { recursive: true, force: true });
  });

  function start(app: AppName, env: Record<string, string>) {
    let output = '';
    const child = spawn(process.execPath, [`${OUT}/main.js`], {
      cwd: `${root}apps/${app}`,
      // Only what production sets: no tsx, no inherited test configuration.
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    children.set(app, { child, output: () => output });
  }

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  };

  test('api, worker, cron and orchestrator start from dist/main.js, store signals together, and stop on SIGTERM', async () => {
    const [apiPort, workerPort, cronPort, orchPort, metricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const api = `http://127.0.0.1:${apiPort}`;
    const common = { DATABASE_URL: database.url, SERVICE_ROLE_KEY: SERVICE_KEY };

    // The api migrates the empty database at start-up (MIGRATE_ON_START defaults to true), finding the SQL files
    // from its bundle's location as the Dockerfile lays them out.
    start('api', { ...common, PORT: String(apiPort) });
    start('worker', { PORT: String(workerPort) });
    await waitFor(
      'api ready',
      async () => ((await get(`${api}/health/ready`)).status === 200 ? true : undefined),
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\napi output:\n${children.get('api')?.output()}`);
    });
    await waitFor(
      'worker up',
      async () => ((await get(`http://127.0.0.1:${workerPort}/health`)).status === 200 ? true : undefined),
      30_000,
    );

    // The cron's demo feed backfills bars through the api; then the orchestrator's start-up catch-up runs the latest
    // closes through the worker and stores their signals and consensus.
    start('cron', {
      ...common,
      PORT: String(cronPort),
      INFRA_API_URL: api,
      DEMO_SYMBOLS: 'EURUSD',
      DEMO_TIMEFRAME: '1m',
      DEMO_BACKFILL_BARS: '300',
    });
    const auth = { authorization: `Bearer ${SERVICE_KEY}` };
    await waitFor(
      'demo bars stored',
      async () => {
        const res = await get(`${api}/api/marketdata/ohlcv?symbol=EURUSD&tf=1m&limit=300`, auth);
        const body = JSON.parse(res.body) as { data?: unknown[] };
        return (body.data?.length ?? 0) >= 250 ? true : undefined;
      },
      30_000,
    );
    start('orchestrator', {
      ...common,
      PORT: String(orchPort),
      METRICS_PORT: String(metricsPort),
      INFRA_API_URL: api,
      WORKER_URL: `http://127.0.0.1:${workerPort}`,
      SYMBOLS: 'EURUSD',
      TIMEFRAMES: '1m',
      SETTLE_DELAY_MS: '0',
    });
    const signals = await waitFor(
      'signals stored',
      async () => {
        const res = await get(`${api}/api/signals?symbol=EURUSD&tf=1m&limit=50`, auth);
        const body = JSON.parse(res.body) as { data?: Array<{ model_id: string }> };
        return (body.data?.length ?? 0) >= 5 ? body.data : undefined;
      },
      45_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\norchestrator output:\n${children.get('orchestrator')?.output()}`);
    });
    assert.ok(new Set(signals.map((s) => s.model_id)).size >= 5, 'every built-in model stored a signal');
    // The consensus is stored in the request after the signals': wait for it rather than race it.
    await waitFor(
      'a consensus stored',
      async () => {
        const res = await get(`${api}/api/consensus?symbol=EURUSD&tf=1m&limit=5`, auth);
        return ((JSON.parse(res.body) as { data?: unknown[] }).data?.length ?? 0) >= 1 ? true : undefined;
      },
      30_000,
    );

    assert.equal((await get(`http://127.0.0.1:${orchPort}/health`)).status, 200);
    assert.match((await get(`http://127.0.0.1:${metricsPort}/metrics`)).body, /# TYPE \w+ /);
    assert.equal((await get(`http://127.0.0.1:${cronPort}/health`)).status, 200);

    for (const app of ['orchestrator', 'cron', 'worker', 'api'] as const) {
      const { child, output } = children.get(app) as { child: ChildProcess; output: () => string };
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await Promise.race([
        exited,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`${app} did not stop within 20 s`)), 20_000)),
      ])) as [number | null];
      assert.equal(code, 0, `${app} exit code after SIGTERM; output:\n${output()}`);
    }
  });
});
