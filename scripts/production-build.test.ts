// Production runs each service on its own: `npm run build -w <app>` bundles src/main.ts into dist/main.js, started
// with `node apps/<name>/dist/main.js` and configured only by environment (deploy/). This test builds all four, starts
// them as separate processes against a fresh database (PostgreSQL when DATABASE_URL is set, else the embedded one),
// with nothing migrated beforehand, and checks that together they store signals; then SIGTERM stops each with exit 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { makeBars } from '../apps/worker/src/testing/harness';
import { freePorts } from './support/ports';

const root = fileURLToPath(new URL('..', import.meta.url));
const APPS = ['api', 'worker', 'orchestrator', 'cron'] as const;
type AppName = (typeof APPS)[number];
// Its own output folder, so that another test building dist/ at the same time cannot interleave with this one.
const OUT = `.dist-test-${process.pid}`;
const SERVICE_KEY = randomBytes(32).toString('base64url');

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

/**
 * A POST whose body is sent in two halves: the request is in flight (headers and half the body received) until
 * `finish()` sends the rest and resolves with the response.
 */
function halfSentPost(url: string, body: string, headers: Record<string, string> = {}) {
  const req = httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => {
        text += d.toString();
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.once('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return {
    finish() {
      req.end(body.slice(half));
      return response;
    },
  };
}

/** Resolves once nothing accepts connections at `url` any more (the server stopped listening). */
async function refusesConnections(url: string): Promise<true> {
  return waitFor(
    `${url} refusing connections`,
    async () => {
      try {
        await fetch(url, { signal: AbortSignal.timeout(1000) });
        return undefined;
      } catch {
        return true;
      }
    },
    10_000,
  );
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

  /** Starts the built api and worker on free ports; resolves once the api is ready and the worker answers. */
  async function startApiAndWorker() {
    const [apiPort, workerPort] = (await freePorts(2)) as [number, number];
    const api = `http://127.0.0.1:${apiPort}`;
    const worker = `http://127.0.0.1:${workerPort}`;
    const common = { DATABASE_URL: database.url, SERVICE_ROLE_KEY: SERVICE_KEY };
    start('api', { ...common, PORT: String(apiPort) });
    start('worker', { PORT: String(workerPort) });
    await waitFor(
      'api ready',
      async () => ((await get(`${api}/health/ready`)).status === 200 ? true : undefined),
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\napi output:\n${children.get('api')?.output()}`);
    });
    await waitFor('worker up', async () => ((await get(`${worker}/health`)).status === 200 ? true : undefined), 30_000);
    return { api, worker, workerPort, common };
  }

  test('api, worker, cron and orchestrator start from dist/main.js, store signals together, and stop on SIGTERM', async () => {
    const [cronPort, orchPort, metricsPort] = (await freePorts(3)) as [number, number, number];
    // The api migrates the empty database at start-up (MIGRATE_ON_START defaults to true), finding the SQL files
    // from its bundle's location as the Dockerfile lays them out.
    const { api, workerPort, common } = await startApiAndWorker();

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

  test('SIGTERM: api and worker finish a request in flight after they stop listening, the orchestrator hands its lock to the standby at once; each exits 0', async (t) => {
    const [aPort, aMetrics, bPort, bMetrics] = (await freePorts(4)) as [number, number, number, number];
    const { api, worker, common } = await startApiAndWorker();

    const stop = (child: ChildProcess) => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      return exited;
    };
    const exitCode = async (exited: Promise<unknown[]>, what: string) => {
      const [code] = (await Promise.race([
        exited,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not exit within 12 s`)), 12_000)),
      ])) as [number | null];
      return code;
    };

    // Two orchestrators on one database: one leads, the other stands by. A long lease (60 s) shows that the standby
    // takes over because the leader released its lock on SIGTERM, not because a lease ran out.
    const orchestrators = { a: { port: aPort, metrics: aMetrics }, b: { port: bPort, metrics: bMetrics } };
    const orchestratorChildren: Record<string, ChildProcess> = {};
    // `children` keeps one process per app: the first orchestrator must not outlive a failed assertion.
    t.after(() => {
      for (const child of Object.values(orchestratorChildren)) if (child.exitCode === null) child.kill('SIGKILL');
    });
    for (const [name, o] of Object.entries(orchestrators)) {
      start('orchestrator', {
        ...common,
        PORT: String(o.port),
        METRICS_PORT: String(o.metrics),
        INFRA_API_URL: api,
        WORKER_URL: worker,
        SYMBOLS: 'EURUSD',
        TIMEFRAMES: '1h',
        LEADER_POLL_MS: '200',
        LEADER_LEASE_MS: '60000',
      });
      orchestratorChildren[name] = (children.get('orchestrator') as { child: ChildProcess }).child;
      await waitFor(
        `orchestrator ${name} up`,
        async () => ((await get(`http://127.0.0.1:${o.port}/health`)).status === 200 ? true : undefined),
        30_000,
      );
    }
    const role = async (port: number) =>
      (JSON.parse((await get(`http://127.0.0.1:${port}/health`)).body) as { role: string }).role;
    const roles = await waitFor(
      'one leader and one standby',
      async () => {
        const r = [await role(aPort), await role(bPort)];
        return r.includes('leader') && r.includes('standby') ? r : undefined;
      },
      30_000,
    );
    const [leader, standby] = roles[0] === 'leader' ? (['a', 'b'] as const) : (['b', 'a'] as const);
    const leaderExit = stop(orchestratorChildren[leader] as ChildProcess);
    assert.equal(await exitCode(leaderExit, 'the leading orchestrator'), 0);
    const stoppedAt = Date.now();
    await waitFor(
      'the standby leading',
      async () => ((await role(orchestrators[standby].port)) === 'leader' ? true : undefined),
      5_000,
    );
    assert.ok(Date.now() - stoppedAt < 5_000, 'taken over well within the 60 s lease');
    assert.equal(await exitCode(stop(orchestratorChildren[standby] as ChildProcess), 'the standby'), 0);

    // The worker: a prediction whose body is half sent when SIGTERM arrives is still answered.
    const predict = halfSentPost(
      `${worker}/v1/predict`,
      JSON.stringify({ symbol: 'EURUSD', timeframe: '1h', bars: makeBars(250) }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const workerExit = stop((children.get('worker') as { child: ChildProcess }).child);
    await refusesConnections(`${worker}/health`);
    const predicted = await predict.finish();
    assert.equal(predicted.status, 200, predicted.body);
    assert.equal(await exitCode(workerExit, 'the worker'), 0);

    // The api: a signal write in flight at SIGTERM is stored and answered; new connections are refused meanwhile.
    const signal = { owner: 'sigterm-check', model_id: 'sigterm-001', symbol: 'EURUSD', timeframe: '5m' };
    Object.assign(signal, { bar_ts: '2025-01-03T10:30:00Z', decision: 'SELL', confidence: 0.6 });
    const store = halfSentPost(`${api}/api/signals/store`, JSON.stringify(signal), {
      authorization: `Bearer ${SERVICE_KEY}`,
    });
    await new Promise((r) => setTimeout(r, 200));
    const apiExit = stop((children.get('api') as { child: ChildProcess }).child);
    await refusesConnections(`${api}/health`);
    const stored = await store.finish();
    assert.equal(stored.status, 204, stored.body);
    assert.equal(await exitCode(apiExit, 'the api'), 0, children.get('api')?.output());
    const rows = await database.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ml.signals_latest WHERE owner = 'sigterm-check'",
    );
    assert.equal(rows[0]?.n, 1, 'the in-flight write was committed');
  });
});
