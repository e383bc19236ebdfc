// `npm run bench -- cycle [--backends postgres,pglite] [--topology processes,single] [--series 1000] [--chunk 100]
// [--depth 2] [--cycles 5] [--bar-cache 60,0]`: one orchestrator cycle for 1,000 series (250 symbols × 1m/5m/15m/1h, all closing at the
// same instant) × every built-in model, from the bar close until every signal and consensus is stored.
//
// Topologies:
// - `processes` (as `npm start` and production run it): the api and the worker are each their own process started
//   from their main.ts and configured by environment; the embedded database runs in a process of its own as well
//   (PostgreSQL is a server anyway); the orchestrator runs here, on a manual clock, so that a cycle starts on cue.
// - `single`: api, worker and orchestrator in this one process (one event loop), the database as above for
//   PostgreSQL and in this process for the embedded one.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@neuronetiq/api';
import { silentLogger } from '@neuronetiq/client';
import { type OhlcvBar, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { createDb, type Db, migrate, repos, startEmbeddedDatabase } from '@neuronetiq/db';
import { generateBackfill } from '@neuronetiq/marketdata';
import { BUILTIN_MODELS } from '@neuronetiq/models';
import { type CycleReport, createOrchestrator, ORCHESTRATOR_DEFAULTS } from '@neuronetiq/orchestrator';
import { createManualClock } from '@neuronetiq/service/clock';
import { buildWorkerApp } from '@neuronetiq/worker';
import { machine, median, writeSection } from './report';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const backends = (arg('--backends') ?? 'postgres,pglite').split(',');
const topologies = (arg('--topology') ?? 'processes,single').split(',') as ('processes' | 'single')[];
const seriesCount = Number(arg('--series') ?? 1000);
const chunkSeries = Number(arg('--chunk') ?? ORCHESTRATOR_DEFAULTS.workerBatchSeries);
const depth = Number(arg('--depth') ?? ORCHESTRATOR_DEFAULTS.workerConcurrency);
const CYCLES = Number(arg('--cycles') ?? 5);
const barCacheModes = (arg('--bar-cache') ?? `${ORCHESTRATOR_DEFAULTS.barCacheRefreshCloses},0`).split(',').map(Number);
const pgServer = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = randomBytes(24).toString('base64url');
const TIMEFRAMES: Timeframe[] = ['1m', '5m', '15m', '1h'];
const HOUR = TIMEFRAME_MS['1h'];
const T = Math.floor(Date.parse('2025-01-08T00:00:00Z') / HOUR) * HOUR;
const window = Math.max(...BUILTIN_MODELS.map((m) => m.requiredBars));
const root = fileURLToPath(new URL('..', import.meta.url));

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts `entry` with tsx as `npm start` does; resolves with the first stdout line matching `ready`. */
function launch(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const errors: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => errors.push(l));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = line.match(ready);
      if (match) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}): ${errors.slice(-5).join('\n')}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** CPU milliseconds (user + system) a child process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become healthy`);
}

interface Database {
  db: Db;
  url: string;
  close(): Promise<void>;
}

async function database(backend: string, topology: 'processes' | 'single'): Promise<Database> {
  if (backend === 'pglite') {
    if (topology === 'single') {
      const embedded = await startEmbeddedDatabase();
      const db = createDb(embedded.url, { max: 10, applicationName: 'bench-cycle' });
      return {
        db,
        url: embedded.url,
        close: async () => {
          await db.end();
          await embedded.close();
        },
      };
    }
    const { child, match } = await launch('bench/support/embedded-db.ts', {}, /^url=(.+)$/);
    const url = match[1] as string;
    const db = createDb(url, { max: 4, applicationName: 'bench-cycle' });
    return {
      db,
      url,
      close: async () => {
        await db.end();
        await stop(child);
      },
    };
  }
  const name = `bench_cycle_${randomBytes(4).toString('hex')}`;
  const admin = createDb(pgServer, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(pgServer);
  u.pathname = `/${name}`;
  const db = createDb(u.toString(), { max: 4, applicationName: 'bench-cycle' });
  return {
    db,
    url: u.toString(),
    close: async () => {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** api and worker as the topology runs them; `now` is the orchestrator's clock (only the in-process api can use it). */
async function services(topology: 'processes' | 'single', dbUrl: string, db: Db, now: () => number) {
  if (topology === 'single') {
    const api = await buildApp({ db, serviceRoleKey: KEY, logger: false, now, rateLimitPerMinute: 1_000_000 });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const worker = buildWorkerApp({ bodyLimitBytes: 256 * 1024 * 1024, maxBarsPerRequest: 10_000_000 });
    await worker.listen({ port: 0, host: '127.0.0.1' });
    return {
      apiUrl: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
      workerUrl: `http://127.0.0.1:${(worker.server.address() as AddressInfo).port}`,
      close: async () => {
        await api.close();
        await worker.close();
      },
      pids: [] as number[],
    };
  }
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const common = { HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const api = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...common,
      PORT: String(apiPort),
      DATABASE_URL: dbUrl,
      SERVICE_ROLE_KEY: KEY,
      MIGRATE_ON_START: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const worker = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...common, PORT: String(workerPort) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(api, worker);
  await Promise.all([waitHealthy(apiUrl), waitHealthy(workerUrl)]);
  return {
    apiUrl,
    workerUrl,
    close: async () => {
      await stop(api);
      await stop(worker);
    },
    pids: [api.pid ?? 0, worker.pid ?? 0],
  };
}

interface Row {
  topology: string;
  backend: string;
  barCache: number;
  first: number;
  steady: number;
  phases: { bars: number; worker: number; signals: number; consensus: number };
  /** CPU ms per cycle (median): orchestrator, api, worker (processes), or the one process. */
  cpu: number[];
}
const results: Row[] = [];

for (const topology of topologies) {
  for (const backend of backends) {
    const { db, url, close } = await database(backend, topology);
    try {
      await migrate(db);
      const symbols = Math.ceil(seriesCount / TIMEFRAMES.length);
      const series = Array.from({ length: symbols }, (_, i) => `S${String(i).padStart(4, '0')}`)
        .flatMap((symbol) => TIMEFRAMES.map((timeframe) => ({ symbol, timeframe })))
        .slice(0, seriesCount);
      // History for the window of every series up to the last cycle's close (setup, not measured).
      const endMs = T + (CYCLES - 1) * HOUR;
      let pending: OhlcvBar[] = [];
      for (const s of series) {
        const count = window + Math.ceil(((CYCLES - 1) * HOUR) / TIMEFRAME_MS[s.timeframe]) + 5;
        pending.push(...generateBackfill({ symbol: s.symbol, timeframe: s.timeframe, seed: 7, count, endMs }).bars);
        if (pending.length >= 20_000) {
          await repos.ohlcv.upsert(db, pending);
          pending = [];
        }
      }
      await repos.ohlcv.upsert(db, pending);
      await db.query('ANALYZE market.ohlcv');
      // Each cache mode runs on its own manual clock from T (and writes as its own owner); the in-process api follows it.
      let clock = createManualClock(T);
      const svc = await services(topology, url, db, () => clock.now());
      for (const cacheCloses of barCacheModes) {
        clock = createManualClock(T);
        const orchestrator = createOrchestrator(
          {
            owner: `bench-cache-${cacheCloses}`,
            series,
            infraApiUrl: svc.apiUrl,
            workerUrl: svc.workerUrl,
            serviceRoleKey: KEY,
            databaseUrl: url,
            settleMs: 0,
            catchUpBars: 0,
            workerBatchSeries: chunkSeries,
            workerConcurrency: depth,
            barCacheRefreshCloses: cacheCloses,
          },
          { clock, db, logger: silentLogger },
        );
        const durations: number[] = [];
        const reports: CycleReport[] = [];
        const cpus: number[][] = [];
        for (let c = 0; c < CYCLES; c++) {
          await clock.advanceTo(T + c * HOUR);
          const cpu0 = [ownCpuMs(), ...svc.pids.map(cpuMsOf)];
          const started = performance.now();
          const [report] = await orchestrator.tick();
          const ms = performance.now() - started;
          const cpu = [ownCpuMs(), ...svc.pids.map(cpuMsOf)].map((x, i) => x - (cpu0[i] ?? 0));
          const expected = series.length * BUILTIN_MODELS.length;
          if (!report || report.signals.stored !== expected || report.consensus.stored !== series.length) {
            throw new Error(
              `cycle ${c} incomplete: ${JSON.stringify({ signals: report?.signals, consensus: report?.consensus, failed: report?.failed.length })}`,
            );
          }
          durations.push(ms);
          reports.push(report);
          cpus.push(cpu);
          const p = report.phases;
          console.log(
            `${topology}/${backend}/bar-cache ${cacheCloses}: cycle ${c + 1}: ${series.length} series, ${expected} signals + ${series.length} consensus in ${ms.toFixed(0)} ms (busy: bars ${p.barsMs.toFixed(0)}, worker ${p.workerMs.toFixed(0)}, signals ${p.signalsMs.toFixed(0)}, consensus ${p.consensusMs.toFixed(0)} ms; cpu: ${topology === 'processes' ? `orchestrator ${cpu[0]?.toFixed(0)}, api ${cpu[1]?.toFixed(0)}, worker ${cpu[2]?.toFixed(0)}` : `this process ${cpu[0]?.toFixed(0)}`} ms)`,
          );
        }
        const steady = reports.slice(1);
        results.push({
          topology,
          backend,
          barCache: cacheCloses,
          first: durations[0] ?? Number.NaN,
          steady: median(durations.slice(1)),
          phases: {
            bars: median(steady.map((r) => r.phases.barsMs)),
            worker: median(steady.map((r) => r.phases.workerMs)),
            signals: median(steady.map((r) => r.phases.signalsMs)),
            consensus: median(steady.map((r) => r.phases.consensusMs)),
          },
          cpu: (cpus[0] ?? []).map((_, i) => median(cpus.slice(1).map((c) => c[i] ?? Number.NaN))),
        });
        await orchestrator.stop();
      }
      await svc.close();
    } finally {
      await close();
    }
  }
}

const label = (b: string) => (b === 'postgres' ? 'PostgreSQL 15' : 'embedded (PGlite)');
const topo = (t: string) => (t === 'processes' ? 'own processes' : 'one process');
const rows = results.map((r) => {
  const target = r.backend === 'postgres' ? 2000 : 5000;
  const p = r.phases;
  const cpu =
    r.topology === 'processes'
      ? `${r.cpu[0]?.toFixed(0)} / ${r.cpu[1]?.toFixed(0)} / ${r.cpu[2]?.toFixed(0)}`
      : `${r.cpu[0]?.toFixed(0)} (all three)`;
  const cache = r.barCache > 0 ? `new bars (whole every ${r.barCache})` : 'whole window';
  return `| ${topo(r.topology)} | ${label(r.backend)} | ${cache} | ${r.first.toFixed(0)} | **${r.steady.toFixed(0)}** | ${((r.steady / seriesCount) * 1000).toFixed(0)} µs | ${p.bars.toFixed(0)} | ${p.worker.toFixed(0)} | ${p.signals.toFixed(0)} | ${p.consensus.toFixed(0)} | ${cpu} | < ${target / 1000} s ${r.steady < target ? '✓' : '✗'} |`;
});
const table = [
  '## Orchestrator cycle (`npm run bench -- cycle`)',
  '',
  `One bar close for ${seriesCount} series (symbol × 1m/5m/15m/1h) × ${BUILTIN_MODELS.length} built-in models (${BUILTIN_MODELS.map((m) => m.id).join(', ')}), window ${window} bars: from the close until every signal (${seriesCount * BUILTIN_MODELS.length}) and consensus (${seriesCount}) is stored. The series go in chunks of ${chunkSeries}, ${depth} chunks in flight; each chunk is one \`POST /api/marketdata/ohlcv/query\`, one \`POST /v1/predict/batch\`, one \`POST /api/signals/batch\` and one \`POST /api/consensus/batch\` (${4 * Math.ceil(seriesCount / chunkSeries)} requests per cycle; before: ~2,000). Cycles are an hour apart, so even with the bar cache the 1m series read 64 bars each (in production, every minute: 4).`,
  '',
  `**Topology**: "own processes" is the production-like one (\`npm start\`): the api and the worker started from their main.ts as child processes configured by environment, the embedded database in a process of its own (PostgreSQL is a server anyway), the orchestrator in the benchmark's process on a manual clock so that a cycle starts on cue. "one process": api, worker and orchestrator on one event loop (the embedded database too). **Bars**: "new bars" is the default (each series' window is kept between closes; a close reads the bars new since the last one plus two it checks against the cache, and the whole window every ${ORCHESTRATOR_DEFAULTS.barCacheRefreshCloses} closes); "whole window" (\`BAR_CACHE_REFRESH_CLOSES=0\`) reads ${window} bars per series at every close, which is also what every cycle 1 does.`,
  '',
  `Medians of cycles 2–${CYCLES} (cycle 1 is cold: whole windows, JIT warm-up). Phases are busy time summed over chunks (chunks overlap, so they add up to more than the cycle). CPU is milliseconds per cycle (median) of orchestrator / api / worker, from /proc; the database's own CPU is not counted. Machine: ${machine()}, shared with other jobs (load average at the end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}).`,
  '',
  '| topology | database | bars read | cycle 1 (ms) | median cycle (ms) | per series | bars (ms) | worker (ms) | signals (ms) | consensus (ms) | CPU orch / api / worker (ms) | target |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
];
console.log(`\n${table.join('\n')}`);
writeSection('cycle', table.join('\n'));
