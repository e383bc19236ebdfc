// `npm run bench -- ingest [--backends postgres,pglite]`: the signal write paths against the raw driver ceiling,
// on one database per backend, in one run:
//   (a) raw ceiling: multi-row INSERT … ON CONFLICT (unnest of 1,000 rows) straight through `pg`;
//   (b) POST /api/signals/batch, 1,000 signals per request;
//   (c) POST /api/signals/store, one signal per request, 32 keep-alive connections (autocannon).
// The api runs in its own process (as in production) so that the load generator does not share its event loop.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Db, migrate, startEmbeddedDatabase } from '@neuronetiq/db';
import autocannon from 'autocannon';
import { machine, median, percentile, writeSection } from './report';
import { startApiProcess } from './support/api-process';
import { makeSignal } from './support/signals';

const SERVICE_KEY = randomBytes(24).toString('hex');
const args = process.argv.slice(2);
const backendsArg = args[args.indexOf('--backends') + 1];
const backends = args.includes('--backends') && backendsArg ? backendsArg.split(',') : ['postgres', 'pglite'];
const pgServer = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// `--store-only`: only (c), the single-signal comparison (for iterating on the store path).
const storeOnly = args.includes('--store-only');

interface Row {
  path: string;
  rowsPerSec: number;
  p50: number;
  p99: number;
}

const RAW_UPSERT = `
INSERT INTO ml.signals_latest AS s (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::numeric[], $8::jsonb[])
ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts) DO UPDATE
  SET decision = excluded.decision, confidence = excluded.confidence, meta = excluded.meta`;

async function rawCeiling(url: string, batches: number): Promise<Row> {
  const db = createDb(url, { max: 2 });
  const owner = `raw-${randomBytes(3).toString('hex')}`;
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    const rows = Array.from({ length: 1000 }, () => makeSignal(owner));
    const t = performance.now();
    await db.query(RAW_UPSERT, [
      rows.map((r) => r.owner),
      rows.map((r) => r.model_id),
      rows.map((r) => r.symbol),
      rows.map((r) => r.timeframe),
      rows.map((r) => r.bar_ts),
      rows.map((r) => r.decision),
      rows.map((r) => String(r.confidence)),
      rows.map((r) => JSON.stringify(r.meta)),
    ]);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - t0) / 1000;
  await db.end();
  return {
    path: '(a) raw INSERT … ON CONFLICT, 1,000 rows/statement',
    rowsPerSec: (batches * 1000) / seconds,
    p50: median(latencies),
    p99: percentile(latencies, 99),
  };
}

async function batchEndpoint(api: string, requests: number): Promise<Row> {
  const owner = `batch-${randomBytes(3).toString('hex')}`;
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r < requests; r++) {
    const body = JSON.stringify({ signals: Array.from({ length: 1000 }, () => makeSignal(owner)) });
    const t = performance.now();
    const res = await fetch(`${api}/api/signals/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${SERVICE_KEY}`,
        'x-contracts-version': '0.16.4',
      },
      body,
    });
    const json = (await res.json()) as { stored?: number };
    if (res.status !== 200 || json.stored !== 1000)
      throw new Error(`batch failed: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    path: '(b) POST /api/signals/batch, 1,000 per request',
    rowsPerSec: (requests * 1000) / seconds,
    p50: median(latencies),
    p99: percentile(latencies, 99),
  };
}

interface StoreRow {
  rowsPerSec: number;
  p50: number;
  p99: number;
}

/**
 * One signal per request, a unique signal (and with `keyed`, a unique Idempotency-Key) each, 32 keep-alive
 * connections: the same load for our api and the seed-style baseline (which ignores the auth headers).
 */
async function storeLoad(base: string, seconds: number, keyed: boolean): Promise<StoreRow> {
  const owner = `store-${randomBytes(3).toString('hex')}`;
  const run = randomBytes(4).toString('hex');
  let n = 0;
  const result = await autocannon({
    url: `${base}/api/signals/store`,
    connections: 32,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${SERVICE_KEY}`,
            'x-contracts-version': '0.16.4',
            ...(keyed ? { 'idempotency-key': `bench-${run}-${n++}` } : {}),
          },
          body: JSON.stringify(makeSignal(owner)),
        }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`store at ${base}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { rowsPerSec: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
}

/** CPU seconds a process has used (Linux /proc; undefined elsewhere or when it is gone). */
function processCpu(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by each PostgreSQL backend connected to `database` (none for a remote server). */
async function backendCpu(admin: Db, database: string): Promise<Map<number, number>> {
  const rows = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const t = processCpu(pid);
    if (t !== undefined) cpu.set(pid, t);
  }
  return cpu;
}

/**
 * Shares of one core used while `fn` ran by the server process and by the database's backends (a backend that
 * connected meanwhile counts whole: its start-up is part of the load).
 */
async function withCpu<T>(
  admin: Db,
  peer: StorePeer,
  fn: () => Promise<T>,
): Promise<T & { dbCpu: number | null; serverCpu: number | null }> {
  const before = await backendCpu(admin, peer.database);
  const server0 = processCpu(peer.pid);
  const t0 = performance.now();
  const result = await fn();
  const elapsed = (performance.now() - t0) / 1000;
  const after = await backendCpu(admin, peer.database);
  const server1 = processCpu(peer.pid);
  let used = 0;
  for (const [pid, t] of after) used += t - (before.get(pid) ?? 0);
  return {
    ...result,
    dbCpu: after.size ? used / elapsed : null,
    serverCpu: server0 !== undefined && server1 !== undefined ? (server1 - server0) / elapsed : null,
  };
}

interface Baseline {
  url: string;
  child: ChildProcess;
  database: string;
}

/**
 * The seed-style handler of ../shared/bench/seed-style-ingest (Express + zod + pg), installed in a temporary folder
 * (../shared is read-only in CI) and started on a database of its own; null with a message where it is absent.
 */
async function startBaseline(admin: Db): Promise<Baseline | null> {
  const source = fileURLToPath(new URL('../../shared/bench/seed-style-ingest', import.meta.url));
  if (!existsSync(`${source}/server.mjs`)) {
    console.log(`seed-style baseline skipped: ${source} is absent`);
    return null;
  }
  const lock = readFileSync(`${source}/package-lock.json`);
  const dir = join(tmpdir(), `neuronetiq-seed-baseline-${createHash('sha1').update(lock).digest('hex').slice(0, 12)}`);
  cpSync(source, dir, { recursive: true, filter: (f) => !f.includes('node_modules') });
  if (!existsSync(join(dir, 'node_modules'))) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  }
  const database = `nq_bench_seed_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const u = new URL(pgServer);
  u.pathname = `/${database}`;
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: { ...process.env, PORT: '0', DATABASE_URL: u.toString() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /"event":"listening","port":(\d+)/.exec(out)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    child.on('exit', (code) => reject(new Error(`seed-style baseline exited with ${code}: ${out}`)));
  });
  return { url, child, database };
}

interface StorePeer {
  name: string;
  url: string;
  database: string;
  pid: number;
}

/** Both servers under the same load, alternating which goes first, three times per scenario; medians. */
async function compareStore(admin: Db, peers: StorePeer[], seconds: number): Promise<string[]> {
  const lines = [
    '| server | Idempotency-Key | req/s | p50 ms | p99 ms | server CPU | PostgreSQL CPU | × baseline req/s |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const summary: string[] = [];
  for (const keyed of [false, true]) {
    for (const p of peers) await storeLoad(p.url, 2, keyed); // warm-up
    const runs = new Map<string, (StoreRow & { dbCpu: number | null; serverCpu: number | null })[]>(
      peers.map((p) => [p.name, []]),
    );
    for (let i = 0; i < 3; i++) {
      const order = i % 2 === 0 ? peers : [...peers].reverse();
      for (const p of order) {
        runs.get(p.name)?.push(await withCpu(admin, p, () => storeLoad(p.url, seconds, keyed)));
      }
    }
    const med = new Map(
      [...runs].map(([name, r]) => [
        name,
        {
          rowsPerSec: median(r.map((x) => x.rowsPerSec)),
          p50: median(r.map((x) => x.p50)),
          p99: median(r.map((x) => x.p99)),
          dbCpu: r.every((x) => x.dbCpu !== null) ? median(r.map((x) => x.dbCpu as number)) : null,
          serverCpu: r.every((x) => x.serverCpu !== null) ? median(r.map((x) => x.serverCpu as number)) : null,
        },
      ]),
    );
    const base = med.get(BASELINE);
    for (const [name, m] of med) {
      const ratio = base ? `${(m.rowsPerSec / base.rowsPerSec).toFixed(2)}×` : '—';
      const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);
      lines.push(
        `| ${name} | ${keyed ? 'unique per request' : 'none'} | ${Math.round(m.rowsPerSec).toLocaleString('en')} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${pct(m.serverCpu)} | ${pct(m.dbCpu)} | ${ratio} |`,
      );
    }
    const ours = med.get(OURS);
    if (base && ours) {
      const ratio = ours.rowsPerSec / base.rowsPerSec;
      summary.push(
        `${keyed ? 'with' : 'without'} a key: ${ratio.toFixed(2)}× the baseline's req/s (target ≥ 1.5×: ${ratio >= 1.5 ? 'met' : 'NOT met'}), p99 ${ours.p99.toFixed(0)} vs ${base.p99.toFixed(0)} ms (lower: ${ours.p99 < base.p99 ? 'met' : 'NOT met'})`,
      );
    }
  }
  return [...lines, '', ...(summary.length ? [`Targets: ${summary.join('; ')}.`] : [])];
}

const OURS = 'POST /api/signals/store (ours)';
const BASELINE = 'seed-style Express + zod + pg';

const tables: string[] = [];
const loadBefore = os.loadavg()[0] ?? 0;
for (const backend of backends) {
  let databaseUrl: string;
  let database: string;
  const admin = createDb(pgServer, { max: 1 });
  let cleanup: () => Promise<void>;
  if (backend === 'postgres') {
    database = `nq_bench_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const u = new URL(pgServer);
    u.pathname = `/${database}`;
    databaseUrl = u.toString();
    cleanup = () => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).then(() => undefined);
  } else {
    const embedded = await startEmbeddedDatabase({ maxConnections: 100 });
    databaseUrl = embedded.url;
    database = '';
    cleanup = () => embedded.close();
  }
  const db = createDb(databaseUrl, { max: 1 });
  await migrate(db);
  await db.end();
  const api = await startApiProcess(databaseUrl, SERVICE_KEY);
  const baseline = backend === 'postgres' ? await startBaseline(admin) : null;
  try {
    const lines = [
      `### ${backend === 'postgres' ? 'PostgreSQL 15 (127.0.0.1)' : 'embedded PGlite over pglite-socket'}`,
    ];
    if (!storeOnly) {
      const scale = backend === 'postgres' ? 1 : 0.3;
      // Warm-up, then measure; each path three times, medians reported.
      await rawCeiling(databaseUrl, 5);
      await batchEndpoint(api.url, 3);
      const runs: Row[][] = [[], []];
      for (let i = 0; i < 3; i++) {
        runs[0]?.push(await rawCeiling(databaseUrl, Math.round(50 * scale)));
        runs[1]?.push(await batchEndpoint(api.url, Math.round(30 * scale)));
      }
      const results = runs.map((r) => ({
        path: (r[0] as Row).path,
        rowsPerSec: median(r.map((x) => x.rowsPerSec)),
        p50: median(r.map((x) => x.p50)),
        p99: median(r.map((x) => x.p99)),
      }));
      const ceiling = results[0]?.rowsPerSec ?? 1;
      lines.push(
        '',
        '| path | rows/s | p50 ms | p99 ms | ratio to (a) |',
        '|---|---:|---:|---:|---:|',
        ...results.map(
          (r) =>
            `| ${r.path} | ${Math.round(r.rowsPerSec).toLocaleString('en')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.rowsPerSec / ceiling).toFixed(2)} |`,
        ),
      );
      if (backend === 'postgres') {
        const b = results[1] as Row;
        lines.push(
          '',
          `Target: (b) ≥ 50% of (a): ${b.rowsPerSec / ceiling >= 0.5 ? 'met' : 'NOT met'} (${Math.round((100 * b.rowsPerSec) / ceiling)}%).`,
        );
      }
    }
    const peers: StorePeer[] = [{ name: OURS, url: api.url, database, pid: api.child.pid as number }];
    if (baseline) {
      peers.push({ name: BASELINE, url: baseline.url, database: baseline.database, pid: baseline.child.pid as number });
    }
    lines.push(
      '',
      '(c) one signal per request, 32 keep-alive connections, a unique signal per request:',
      '',
      ...(await compareStore(admin, peers, backend === 'postgres' ? 10 : 5)),
    );
    console.log(lines.join('\n'));
    tables.push(lines.join('\n'));
  } finally {
    for (const child of [api.child, baseline?.child]) {
      if (!child) continue;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (baseline) await admin.query(`DROP DATABASE IF EXISTS ${baseline.database} WITH (FORCE)`);
    await cleanup();
    await admin.end();
  }
}

writeSection(
  'ingest',
  [
    '## ingest — signal write paths (`npm run bench -- ingest`)',
    '',
    `Machine: ${machine()}. ${new Date().toISOString().slice(0, 10)}. Medians of 3 runs after a warm-up; api in its own process, load generator in another. One-minute load average ${loadBefore.toFixed(1)} before, ${(os.loadavg()[0] ?? 0).toFixed(1)} after (above 2 on 2 cores, other jobs were competing: compare only figures of one run).`,
    "Targets on PostgreSQL: (b) ≥ 50% of (a); (c) the store path at ≥ 1.5× the seed-style baseline's req/s with a lower p99, with and without an Idempotency-Key, in the same run.",
    '',
    ...tables.flatMap((t) => [t, '']),
  ].join('\n'),
);
