// `npm run bench -- ingest [--backends postgres,pglite]`: the signal write paths against the raw driver ceiling,
// on one database per backend, in one run:
//   (a) raw ceiling: multi-row INSERT … ON CONFLICT (unnest of 1,000 rows) straight through `pg`;
//   (b) POST /api/signals/batch, 1,000 signals per request;
//   (c) POST /api/signals/store, one signal per request, 32 keep-alive connections (autocannon);
//   (b0) (b) again with the event log's triggers on ml.signals_latest disabled: what GET /api/stream's log costs
//        the batch path, measured interleaved with (b) in the same run.
// The api runs in its own process (bench/support/api-process.ts).
import { randomBytes } from 'node:crypto';
import { createDb } from '@neuronetiq/db';
import autocannon from 'autocannon';
import { machine, median, percentile, writeSection } from './report';
import { createBenchDatabase, startApiProcess } from './support/api-process';
import { makeSignal } from './support/signals';

const SERVICE_KEY = randomBytes(24).toString('hex');
const args = process.argv.slice(2);
const backendsArg = args[args.indexOf('--backends') + 1];
const backends = args.includes('--backends') && backendsArg ? backendsArg.split(',') : ['postgres', 'pglite'];
const pgServer = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

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

/** Turns the event log's triggers on ml.signals_latest off or on (the (b0) peer). */
async function setEventLog(databaseUrl: string, enabled: boolean): Promise<void> {
  const db = createDb(databaseUrl, { max: 1 });
  const verb = enabled ? 'ENABLE' : 'DISABLE';
  await db.query(`ALTER TABLE ml.signals_latest ${verb} TRIGGER log_signals_on_insert`);
  await db.query(`ALTER TABLE ml.signals_latest ${verb} TRIGGER log_signals_on_update`);
  await db.end();
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

async function storeEndpoint(api: string, seconds: number): Promise<Row> {
  const owner = `store-${randomBytes(3).toString('hex')}`;
  const result = await autocannon({
    url: `${api}/api/signals/store`,
    connections: 32,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${SERVICE_KEY}`,
          'x-contracts-version': '0.16.4',
        },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(makeSignal(owner)) }),
      },
    ],
  });
  const ok = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`store: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return {
    path: '(c) POST /api/signals/store, 1 per request, 32 connections',
    rowsPerSec: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

const tables: string[] = [];
for (const backend of backends) {
  const { databaseUrl, cleanup } = await createBenchDatabase(backend, pgServer);
  const api = await startApiProcess(databaseUrl, SERVICE_KEY);
  try {
    const scale = backend === 'postgres' ? 1 : 0.3;
    const results: Row[] = [];
    // Warm-up, then measure; each path three times, medians reported.
    await rawCeiling(databaseUrl, 5);
    await batchEndpoint(api.url, 3);
    const runs: Row[][] = [[], [], [], []];
    for (let i = 0; i < 3; i++) {
      runs[0]?.push(await rawCeiling(databaseUrl, Math.round(50 * scale)));
      runs[1]?.push(await batchEndpoint(api.url, Math.round(30 * scale)));
      runs[2]?.push(await storeEndpoint(api.url, backend === 'postgres' ? 10 : 5));
      await setEventLog(databaseUrl, false);
      const without = await batchEndpoint(api.url, Math.round(30 * scale));
      await setEventLog(databaseUrl, true);
      runs[3]?.push({ ...without, path: '(b0) = (b) without the event log triggers (GET /api/stream), same run' });
    }
    for (const r of runs) {
      const first = r[0] as Row;
      results.push({
        path: first.path,
        rowsPerSec: median(r.map((x) => x.rowsPerSec)),
        p50: median(r.map((x) => x.p50)),
        p99: median(r.map((x) => x.p99)),
      });
    }
    const ceiling = results[0]?.rowsPerSec ?? 1;
    const lines = [
      `### ${backend === 'postgres' ? 'PostgreSQL 15 (127.0.0.1)' : 'embedded PGlite over pglite-socket'}`,
      '',
      '| path | rows/s | p50 ms | p99 ms | ratio to (a) |',
      '|---|---:|---:|---:|---:|',
      ...results.map(
        (r) =>
          `| ${r.path} | ${Math.round(r.rowsPerSec).toLocaleString('en')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.rowsPerSec / ceiling).toFixed(2)} |`,
      ),
    ];
    if (backend === 'postgres') {
      const b = results[1] as Row;
      const c = results[2] as Row;
      const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
      lines.push(
        '',
        `Targets: (b) ≥ 50% of (a): ${mark(b.rowsPerSec / ceiling >= 0.5)} (${Math.round((100 * b.rowsPerSec) / ceiling)}%); ` +
          `(c) ≥ 3,000 signals/s: ${mark(c.rowsPerSec >= 3000)} (${Math.round(c.rowsPerSec).toLocaleString('en')}/s); ` +
          `(c) p99 < 50 ms: ${mark(c.p99 < 50)} (${c.p99.toFixed(0)} ms).`,
      );
    }
    console.log(lines.join('\n'));
    tables.push(lines.join('\n'));
  } finally {
    api.child.kill('SIGTERM');
    await new Promise((r) => api.child.once('exit', r));
    await cleanup();
  }
}

writeSection(
  'ingest',
  [
    '## ingest — signal write paths (`npm run bench -- ingest`)',
    '',
    `Machine: ${machine()}. ${new Date().toISOString().slice(0, 10)}. Medians of 3 runs after a warm-up; api in its own process, load generator in another.`,
    'Targets on PostgreSQL: (b) ≥ 50% of (a); (c) ≥ 3,000 signals/s with p99 < 50 ms.',
    '',
    ...tables.flatMap((t) => [t, '']),
  ].join('\n'),
);
