// `npm run test:cluster`: the platform scaled out on one machine, losing one instance at a time. Its own PostgreSQL
// (initdb in a temp dir, a free port: the shared server is never touched, and this one is restarted mid-run), the four
// production bundles (npm run build), two of each — api, worker, orchestrator, cron — as separate processes, a small
// round-robin load balancer in this process in front of the apis and of the workers, clients storing signals with
// idempotency keys and failing over between the two apis, and a live-stream client. Faults, one at a time: SIGKILL the
// leading orchestrator, an api, a worker, a cron while it drains 300 outbox items; restart PostgreSQL. Then it checks
// that nothing was lost or duplicated and prints a table; exit 0 only if every count is as it must be.
// The web app runs too (`next start` of the build, once per source tree), its live stream read by Chromium signed in
// through a local GitHub stand-in as the clients' owner: the browser must see every one of that owner's signals.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Db } from '@neuronetiq/db';
import { launchBrowser, startGitHubOAuthServer } from '@neuronetiq/testing-web';
import { ensureWebBuild, type RunningWeb, startWeb } from '../apps/web/scripts/build';
import { freePort, freePorts } from './support/ports';

const root = fileURLToPath(new URL('..', import.meta.url));
const PG_BIN = '/usr/lib/postgresql/15/bin';
const OUT = `.dist-cluster-${process.pid}`;
const SERVICE_KEY = randomBytes(32).toString('base64url');
const JWT_SECRET = randomBytes(32).toString('base64url');
const MODELS_PER_CLOSE = 5;
const t0 = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- PostgreSQL of its own ------------------------------------------------------------------------------------------
const asRoot = process.getuid?.() === 0;
const pgUser = asRoot ? 'postgres' : undefined;
function pgCommand(bin: string, args: string[]) {
  const cmd = pgUser ? 'runuser' : `${PG_BIN}/${bin}`;
  const argv = pgUser ? ['-u', pgUser, '--', `${PG_BIN}/${bin}`, ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

const pgDir = mkdtempSync(join(tmpdir(), 'nq-cluster-pg-'));
if (pgUser) {
  const uid = Number(execFileSync('id', ['-u', pgUser], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', pgUser], { encoding: 'utf8' }));
  chownSync(pgDir, uid, gid);
}
const pgPort = await freePort();
const pgData = join(pgDir, 'data');
const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
const pgStart = () =>
  pgCommand('pg_ctl', [
    '-D',
    pgData,
    '-l',
    join(pgDir, 'log'),
    '-w',
    '-o',
    `-p ${pgPort} -k ${pgDir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`,
    'start',
  ]);

// ---- processes ----------------------------------------------------------------------------------------------------
interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
}
const procs: Proc[] = [];
function startService(name: string, app: string, env: Record<string, string>): Proc {
  let out = '';
  const child = spawn(process.execPath, [`${OUT}/main.js`], {
    cwd: `${root}apps/${app}`,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [child.stdout, child.stderr]) {
    s?.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    });
  }
  const p = { name, child, output: () => out };
  procs.push(p);
  return p;
}

// The web app, the GitHub stand-in and Chromium (started once the services are up).
const closers: (() => Promise<unknown>)[] = [];
let web: RunningWeb | undefined;
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

async function cleanup() {
  await browser?.close().catch(() => {});
  await web?.stop().catch(() => {});
  for (const c of closers) await c().catch(() => {});
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  try {
    pgCommand('pg_ctl', ['-D', pgData, '-m', 'immediate', 'stop']);
  } catch {}
  rmSync(pgDir, { recursive: true, force: true });
  for (const app of ['api', 'worker', 'orchestrator', 'cron']) {
    rmSync(`${root}apps/${app}/${OUT}`, { recursive: true, force: true });
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void cleanup().then(() => process.exit(130));
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}
const ok = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200 || undefined;

// ---- a small load balancer: round robin over upstreams, the next one on a refused or reset connection ------------------
function loadBalancer(upstreams: string[]) {
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const target = new URL(upstreams[next++ % upstreams.length] as string);
        const up = httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        up.on('error', () => {
          if (res.headersSent) res.destroy();
          else if (tries + 1 < upstreams.length * 2) attempt(tries + 1);
          else res.writeHead(502).end();
        });
        res.on('close', () => up.destroy());
        up.end(body);
      };
      attempt(0);
    });
  });
  return server;
}

// ---- the run ------------------------------------------------------------------------------------------------------
interface Fault {
  fault: string;
  detail: string;
}
const faults: Fault[] = [];
const failures: string[] = [];
let db: Db | undefined;

try {
  log(`PostgreSQL 15 of its own in ${pgDir}, port ${pgPort}`);
  pgCommand('initdb', ['-D', pgData, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pgStart();
  db = createDb(databaseUrl, { max: 4, applicationName: 'cluster-test' });

  // `next build` (minutes on two cores; nothing when the sources were built before) runs while the services start.
  const webBuilt = ensureWebBuild();
  webBuilt.catch(() => {});
  log('building the four bundles');
  for (const app of ['api', 'worker', 'orchestrator', 'cron']) {
    const b = spawnSync(process.execPath, ['../../scripts/build-app.mjs', `${OUT}/main.js`], {
      cwd: `${root}apps/${app}`,
      encoding: 'utf8',
    });
    if (b.status !== 0) throw new Error(`building ${app}: ${b.stderr}`);
  }

  const [apiA, apiB, workerA, workerB, lbApi, lbWorker] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const orch = (await freePorts(4)) as [number, number, number, number];
  const crons = (await freePorts(2)) as [number, number];
  const apis = [`http://127.0.0.1:${apiA}`, `http://127.0.0.1:${apiB}`];
  const common = { DATABASE_URL: databaseUrl, SERVICE_ROLE_KEY: SERVICE_KEY, SUPABASE_JWT_SECRET: JWT_SECRET };

  const api = [startService('api-a', 'api', { ...common, PORT: String(apiA) })];
  await waitFor('api-a ready (migrations applied)', () => ok(`${apis[0]}/health/ready`), 90_000);
  api.push(startService('api-b', 'api', { ...common, PORT: String(apiB) }));
  const workers = [
    startService('worker-a', 'worker', { PORT: String(workerA) }),
    startService('worker-b', 'worker', { PORT: String(workerB) }),
  ];
  await waitFor('api-b ready', () => ok(`${apis[1]}/health/ready`), 60_000);
  for (const w of [workerA, workerB]) await waitFor('workers up', () => ok(`http://127.0.0.1:${w}/health`), 30_000);
  const lbA = loadBalancer(apis).listen(lbApi, '127.0.0.1');
  const lbW = loadBalancer([`http://127.0.0.1:${workerA}`, `http://127.0.0.1:${workerB}`]).listen(
    lbWorker,
    '127.0.0.1',
  );
  const apiUrl = `http://127.0.0.1:${lbApi}`;

  const cronEnv = (port: number, extra: Record<string, string> = {}) => ({
    ...common,
    PORT: String(port),
    INFRA_API_URL: apiUrl,
    OUTBOX_DRAIN_INTERVAL_MS: '1000',
    OUTBOX_LEASE_MS: '5000',
    OUTBOX_BACKOFF_BASE_MS: '500',
    OUTBOX_BACKOFF_MAX_MS: '2000',
    OUTBOX_CONCURRENCY: '4',
    OUTBOX_BATCH_SIZE: '50',
    ...extra,
  });
  // cron-b runs the synthetic 1m feed and is never killed; cron-a only drains.
  const cron = [
    startService('cron-a', 'cron', cronEnv(crons[0])),
    startService('cron-b', 'cron', cronEnv(crons[1], { DEMO_SYMBOLS: 'EURUSD', DEMO_BACKFILL_BARS: '300' })),
  ];
  await waitFor(
    'demo bars',
    async () => {
      const [r] = await (db as Db).query<{ n: number }>(
        "SELECT count(*)::int AS n FROM market.ohlcv WHERE symbol = 'EURUSD'",
      );
      return (r?.n ?? 0) >= 250 || undefined;
    },
    60_000,
  );
  const orchEnv = (port: number, metrics: number) => ({
    ...common,
    PORT: String(port),
    METRICS_PORT: String(metrics),
    INFRA_API_URL: apiUrl,
    WORKER_URL: `http://127.0.0.1:${lbWorker}`,
    SYMBOLS: 'EURUSD',
    TIMEFRAMES: '1m',
    SETTLE_DELAY_MS: '1500',
    CATCH_UP_BARS: '3',
    LEADER_POLL_MS: '500',
    RETRY_ATTEMPTS: '6',
  });
  const orchestrators = [
    { proc: startService('orchestrator-a', 'orchestrator', orchEnv(orch[0], orch[1])), port: orch[0] },
    { proc: startService('orchestrator-b', 'orchestrator', orchEnv(orch[2], orch[3])), port: orch[2] },
  ];
  const role = async (port: number) =>
    (
      (await (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).json()) as {
        role: string;
      }
    ).role;
  const leaderIndex = await waitFor(
    'a leader and a standby',
    async () => {
      const r = [await role(orch[0]), await role(orch[2])];
      return r.includes('leader') && r.includes('standby') ? r.indexOf('leader') : undefined;
    },
    30_000,
  );
  const testStart = new Date();
  log(`all up: 2 apis, 2 workers, 2 crons, orchestrator-${leaderIndex ? 'b' : 'a'} leading`);

  // ---- the web app, and Chromium on its live stream as the clients' owner ------------------------------------------
  const owner = `cluster${randomBytes(3).toString('hex')}`;
  await webBuilt;
  const [webPort] = (await freePorts(1)) as [number];
  const webUrl = `http://127.0.0.1:${webPort}`;
  const githubClient = { clientId: 'Iv1.cluster', clientSecret: randomBytes(20).toString('hex') };
  const github = await startGitHubOAuthServer({
    users: [{ id: 7_200_001, login: owner, name: 'Cluster Browser', email: null }],
    clients: [{ ...githubClient, redirectUris: [`${webUrl}/api/auth/callback/github`] }],
  });
  closers.push(() => github.close());
  web = await startWeb({
    port: webPort,
    env: {
      WEB_URL: webUrl,
      INFRA_API_URL: apiUrl,
      DATABASE_URL: databaseUrl,
      SERVICE_ROLE_KEY: SERVICE_KEY,
      SUPABASE_JWT_SECRET: JWT_SECRET,
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      GITHUB_CLIENT_ID: githubClient.clientId,
      GITHUB_CLIENT_SECRET: githubClient.clientSecret,
      GITHUB_OAUTH_URL: github.url,
      GITHUB_API_URL: github.url,
      LOG_LEVEL: 'warn',
    },
  });
  browser = await launchBrowser();
  const page = await (await browser.newContext({ baseURL: webUrl })).newPage();
  await page.goto('/marketplace/login?next=%2Fmarketplace%2Fvendor');
  await page.getByRole('button', { name: 'Continue with GitHub' }).click();
  await page.getByRole('button', { name: `Continue as ${owner}` }).click();
  await page.getByTestId('signed-in-owner').waitFor({ state: 'attached' });
  const shownOwner = (await page.getByTestId('signed-in-owner').textContent())?.trim();
  if (shownOwner !== owner) throw new Error(`the browser signed in as "${shownOwner}", not ${owner}`);
  // The page's EventSource reconnects by itself (with Last-Event-ID) whenever the web or an api behind it drops.
  await page.evaluate(() => {
    const w = globalThis as unknown as { seenIds: number[] };
    w.seenIds = [];
    const source = new EventSource('/api/stream?types=signal');
    source.addEventListener('signal', (e) => w.seenIds.push(Number((e as MessageEvent).lastEventId)));
  });
  const browserIds = async () =>
    (await page.evaluate(() => (globalThis as unknown as { seenIds: number[] }).seenIds)) ?? [];
  log(`web at ${webUrl}, Chromium signed in as ${owner} and on the live stream`);

  // ---- the stream client: through the load balancer, resuming with Last-Event-ID whenever the connection drops ------
  const [head] = await db.query<{ id: string | null }>('SELECT max(id) AS id FROM app.event_log');
  const streamStart = Number(head?.id ?? 0);
  let lastEventId = streamStart;
  const seen = new Set<number>();
  let reconnects = -1;
  let streaming = true;
  const streamLoop = (async () => {
    while (streaming) {
      reconnects++;
      try {
        // Like a browser's EventSource behind DNS failover: api-a first, the other when a connection fails.
        const res = await fetch(
          `${apis[reconnects === 0 || (api[0]?.child.exitCode === null && api[0]?.child.signalCode === null) ? 0 : 1]}/api/stream?types=signal,consensus`,
          {
            headers: { authorization: `Bearer ${SERVICE_KEY}`, 'last-event-id': String(lastEventId) },
          },
        );
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const id = /^id: (\d+)$/m.exec(buffer.slice(0, end))?.[1];
            buffer = buffer.slice(end + 2);
            if (id) {
              seen.add(Number(id));
              lastEventId = Math.max(lastEventId, Number(id));
            }
          }
          if (!streaming) break;
        }
      } catch {}
      if (streaming) await sleep(500);
    }
  })();

  // ---- clients storing signals, each with its idempotency key, failing over between the two apis -------------------
  let issued = 0;
  let clientRetries = 0;
  const unanswered: number[] = [];
  let driving = true;
  const client = async (lane: number) => {
    while (driving) {
      const i = issued++;
      const body = JSON.stringify({
        owner,
        model_id: `client-${lane}`,
        symbol: 'EURUSD',
        timeframe: '5m',
        bar_ts: new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString(),
        decision: 'BUY',
        confidence: 0.6,
      });
      const key = `${owner}-${i}`;
      let done = false;
      for (let attempt = 0; attempt < 120 && !done; attempt++) {
        const target = apis[(lane + attempt) % 2];
        try {
          const res = await fetch(`${target}/api/signals/store`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${SERVICE_KEY}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body,
            signal: AbortSignal.timeout(5000),
          });
          if (res.status === 204) done = true;
          else if (res.status < 500 && res.status !== 409) throw new Error(`${res.status} ${await res.text()}`);
        } catch (err) {
          if ((err as Error).message.match(/^\d{3} /)) {
            failures.push(`client request ${i}: ${(err as Error).message}`);
            break;
          }
        }
        if (!done) {
          clientRetries++;
          await sleep(250);
        }
      }
      if (!done) unanswered.push(i);
      await sleep(100);
    }
  };
  const clients = [client(0), client(1)];
  const browserFirst = await waitFor(
    'the browser receiving the clients’ signals',
    async () => (await browserIds())[0],
    30_000,
  );

  // A bar close before the first fault, so that closes before, during and after the faults are all counted.
  const consensusSince = (since: Date) => async () => {
    const [r] = await (db as Db).query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ml.consensus_latest WHERE owner = 'pacey999' AND symbol = 'EURUSD' AND timeframe = '1m' AND bar_ts >= $1",
      [new Date(Math.ceil(since.getTime() / 60_000) * 60_000)],
    );
    return (r?.n ?? 0) > 0 || undefined;
  };
  await waitFor('a consensus for a bar close after the start', consensusSince(testStart), 90_000);
  log('first bar close stored');

  // ---- faults, one at a time --------------------------------------------------------------------------------------
  await sleep(2_000);
  const leader = orchestrators[leaderIndex] as (typeof orchestrators)[number];
  const standby = orchestrators[1 - leaderIndex] as (typeof orchestrators)[number];
  leader.proc.child.kill('SIGKILL');
  const killedAt = Date.now();
  await waitFor(
    'the standby leading',
    async () => ((await role(standby.port)) === 'leader' ? true : undefined),
    20_000,
  );
  const takeover = Date.now() - killedAt;
  faults.push({
    fault: `SIGKILL the leading orchestrator (${leader.proc.name})`,
    detail: `standby leading after ${(takeover / 1000).toFixed(1)} s`,
  });
  if (takeover > 15_000) failures.push(`the standby took ${takeover} ms to take over (> 15 s)`);
  log(faults.at(-1)?.detail ?? '');

  await sleep(8_000);
  (api[0] as Proc).child.kill('SIGKILL');
  faults.push({ fault: 'SIGKILL api-a', detail: 'clients, load balancer and stream go on with api-b' });
  log('api-a killed');

  await sleep(8_000);
  (workers[0] as Proc).child.kill('SIGKILL');
  faults.push({ fault: 'SIGKILL worker-a', detail: 'the load balancer sends predictions to worker-b' });
  log('worker-a killed');

  await sleep(5_000);
  const outboxOwner = `outbox${randomBytes(3).toString('hex')}`;
  const OUTBOX_ITEMS = 300;
  await db.query(
    `INSERT INTO ml.ingest_outbox (kind, payload, idempotency_key)
     SELECT 'signal', jsonb_build_object('owner', $1::text, 'model_id', 'outbox-001', 'symbol', 'EURUSD', 'timeframe', '5m',
              'bar_ts', to_char(timestamptz '2024-06-03 00:00:00+00' + make_interval(mins => 5 * g), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
              'decision', 'SELL', 'confidence', 0.55, 'meta', '{}'::jsonb),
            $1 || '-' || g
     FROM generate_series(1, $2::int) AS g`,
    [outboxOwner, OUTBOX_ITEMS],
  );
  await waitFor(
    'cron-a draining',
    async () => {
      const [r] = await (db as Db).query<{ n: number }>('SELECT count(*)::int AS n FROM ml.ingest_outbox');
      return (r?.n ?? OUTBOX_ITEMS) < OUTBOX_ITEMS ? true : undefined;
    },
    20_000,
  );
  (cron[0] as Proc).child.kill('SIGKILL');
  const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ml.ingest_outbox');
  faults.push({
    fault: 'SIGKILL cron-a mid-drain',
    detail: `${left?.n} of ${OUTBOX_ITEMS} items still queued; its leases lapse after 5 s`,
  });
  log(faults.at(-1)?.detail ?? '');

  await sleep(5_000);
  await db.end();
  db = undefined;
  const restartAt = Date.now();
  pgCommand('pg_ctl', ['-D', pgData, '-m', 'fast', '-w', 'stop']);
  await sleep(2_000);
  pgStart();
  db = createDb(databaseUrl, { max: 4, applicationName: 'cluster-test' });
  faults.push({
    fault: 'restart PostgreSQL (pg_ctl stop -m fast, 2 s down, start)',
    detail: `down ${((Date.now() - restartAt) / 1000).toFixed(1)} s`,
  });
  log('PostgreSQL restarted');

  // ---- settle: a bar close after the restart, the outbox empty, the clients and the stream caught up ------------------
  await waitFor('a consensus for a bar close after the restart', consensusSince(new Date()), 100_000);
  await waitFor(
    'the outbox drained',
    async () => {
      const [r] = await (db as Db).query<{ n: number }>('SELECT count(*)::int AS n FROM ml.ingest_outbox');
      return r?.n === 0 || undefined;
    },
    60_000,
  );
  driving = false;
  await Promise.all(clients);
  await sleep(3_000);
  const [ownNewest] = await (db as Db).query<{ id: string | null }>(
    "SELECT max(id) AS id FROM app.event_log WHERE type = 'signal' AND owner = $1",
    [owner],
  );
  await waitFor(
    'the browser catching up',
    async () => (Math.max(0, ...(await browserIds())) >= Number(ownNewest?.id ?? 0) ? true : undefined),
    30_000,
  ).catch(() => undefined);
  const browserSeen = new Set(await browserIds());
  streaming = false;
  // Ends the open stream response (its loop stops at the next frame or heartbeat, or when the api closes).
  lbA.closeAllConnections();
  await Promise.race([streamLoop, sleep(5_000)]);

  // ---- counts -----------------------------------------------------------------------------------------------------
  const q = async <T>(sql: string, params: unknown[] = []) => (db as Db).query<T>(sql, params);
  const closes = await q<{ bar_ts: Date; models: number; rows: number }>(
    `SELECT bar_ts, count(DISTINCT model_id)::int AS models, count(*)::int AS rows FROM ml.signals_latest
     WHERE owner = 'pacey999' AND symbol = 'EURUSD' AND timeframe = '1m' AND NOT backfilled AND bar_ts >= $1
     GROUP BY bar_ts ORDER BY bar_ts`,
    [new Date(Math.floor(testStart.getTime() / 60_000) * 60_000)],
  );
  const consensus = await q<{ bar_ts: Date; n: number }>(
    `SELECT bar_ts, count(*)::int AS n FROM ml.consensus_latest
     WHERE owner = 'pacey999' AND symbol = 'EURUSD' AND timeframe = '1m' AND bar_ts >= $1 GROUP BY bar_ts`,
    [new Date(Math.floor(testStart.getTime() / 60_000) * 60_000)],
  );
  const consensusAt = new Map(consensus.map((c) => [new Date(c.bar_ts).getTime(), c.n]));
  const first = closes[0] ? new Date(closes[0].bar_ts).getTime() : 0;
  const last = closes.length ? new Date((closes.at(-1) as { bar_ts: Date }).bar_ts).getTime() : 0;
  const expectedCloses = closes.length ? (last - first) / 60_000 + 1 : 0;
  const closesMissing = expectedCloses - closes.length;
  const closesIncomplete = closes.filter((c) => c.models !== MODELS_PER_CLOSE).length;
  const closesDuplicated = closes.filter((c) => c.rows !== c.models).length;
  const consensusMissing = closes.filter((c) => !consensusAt.has(new Date(c.bar_ts).getTime())).length;
  const consensusDuplicated = consensus.filter((c) => c.n !== 1).length;

  const [clientRows] = await q<{ n: number; distinct_bars: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT (model_id, bar_ts))::int AS distinct_bars FROM ml.signals_latest WHERE owner = $1',
    [owner],
  );
  const [outboxRows] = await q<{ n: number; distinct_bars: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT bar_ts)::int AS distinct_bars FROM ml.signals_latest WHERE owner = $1',
    [outboxOwner],
  );
  // Processed once: every write the api applies logs an event (a replay of a stored idempotency key logs none), so an
  // outbox item delivered again after its cron was killed and applied a second time would show as a second event.
  const [outboxEvents] = await q<{ n: number; distinct_bars: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT b)::int AS distinct_bars
     FROM app.event_log, unnest(bar_ts) AS b WHERE type = 'signal' AND owner = $1`,
    [outboxOwner],
  );
  const [dead] = await q<{ n: number }>("SELECT count(*)::int AS n FROM ml.ingest_outbox WHERE status = 'dead'");
  // The client asked for signal and consensus events; bars are logged too (the feed, the roll-ups) and not sent to it.
  const logged = await q<{ id: string; type: string }>(
    "SELECT id, type FROM app.event_log WHERE type IN ('signal', 'consensus') AND id > $1 AND id <= $2",
    [streamStart, lastEventId],
  );
  const [logTotal] = await q<{ n: number }>(
    "SELECT coalesce(max(id), 0)::int AS n FROM app.event_log WHERE type IN ('signal', 'consensus')",
  );
  const streamMissed = logged.filter((r) => !seen.has(Number(r.id))).length;
  const ownLogged = await q<{ id: string }>(
    "SELECT id FROM app.event_log WHERE type = 'signal' AND owner = $1 AND id >= $2",
    [owner, browserFirst],
  );
  const browserMissed = ownLogged.filter((r) => !browserSeen.has(Number(r.id)));
  if (browserMissed.length) console.log(`missed in the browser: ${browserMissed.map((r) => r.id).join(', ')}`);

  const rows: Array<[string, number, number, number]> = [
    [
      'bar closes with all 5 models + 1 consensus',
      closes.length - closesIncomplete,
      closesMissing + closesIncomplete + consensusMissing,
      closesDuplicated + consensusDuplicated,
    ],
    [
      'client writes (idempotency key, failover)',
      issued,
      issued - (clientRows?.n ?? 0) + unanswered.length,
      (clientRows?.n ?? 0) - (clientRows?.distinct_bars ?? 0),
    ],
    [
      'outbox items delivered',
      OUTBOX_ITEMS,
      OUTBOX_ITEMS - (outboxRows?.n ?? 0) + (dead?.n ?? 0),
      (outboxRows?.n ?? 0) - (outboxRows?.distinct_bars ?? 0),
    ],
    [
      'outbox items applied (one event each)',
      outboxEvents?.n ?? 0,
      OUTBOX_ITEMS - (outboxEvents?.distinct_bars ?? 0),
      (outboxEvents?.n ?? 0) - (outboxEvents?.distinct_bars ?? 0),
    ],
    ['stream events (signal, consensus)', logged.length, streamMissed, 0],
    ['browser on the web stream (own signals)', ownLogged.length, browserMissed.length, 0],
  ];
  if (closes.length < 2) failures.push(`only ${closes.length} bar close(s) observed`);
  for (const [what, , lost, dup] of rows) {
    if (lost !== 0) failures.push(`${what}: ${lost} lost`);
    if (dup !== 0) failures.push(`${what}: ${dup} duplicated`);
  }
  if (logged.length === 0) failures.push('the stream client saw no event');
  if (ownLogged.length === 0) failures.push('the browser saw no event');
  if (lastEventId < (logTotal?.n ?? 0)) failures.push(`the stream stopped at event ${lastEventId} of ${logTotal?.n}`);
  const missedIds = logged.filter((r) => !seen.has(Number(r.id)));
  if (missedIds.length) console.log(`missed stream events: ${missedIds.map((r) => `${r.id} ${r.type}`).join(', ')}`);

  console.log('\nfaults injected');
  for (const f of faults) console.log(`  ${f.fault.padEnd(62)} ${f.detail}`);
  console.log(`\n  ${'what'.padEnd(46)} ${'total'.padStart(6)} ${'lost'.padStart(6)} ${'dup'.padStart(6)}`);
  for (const [what, total, lost, dup] of rows) {
    console.log(
      `  ${what.padEnd(46)} ${String(total).padStart(6)} ${String(lost).padStart(6)} ${String(dup).padStart(6)}`,
    );
  }
  console.log(
    `\n  client retries ${clientRetries}, stream reconnects ${reconnects}, stream read up to event ${lastEventId}, the newest signal or consensus event is ${logTotal?.n ?? 0}, run ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  lbW.close();
  lbA.close();
} catch (err) {
  failures.push(`the run stopped: ${(err as Error).message}`);
  for (const p of procs)
    console.error(
      `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${p.output().slice(-1500)}`,
    );
} finally {
  await db?.end().catch(() => {});
  await cleanup();
}
if (failures.length) {
  console.error(`\nFAILED:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('\nevery promise kept: nothing lost, nothing duplicated');
process.exit(0);
