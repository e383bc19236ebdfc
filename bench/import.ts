// `npm run bench -- import [runs]`: rows/s of the CSV importer on the six HistData EURUSD 1m files
// (186,348 rows, New York clock with DST). Target: > 200,000 rows/s parsed, and 50,000 rows/s stored on PostgreSQL.
// End to end: `npm run import` as a person types it on a 50,000-row file (the first 50,000 HistData rows), timed from
// the spawn to the exit, start-up included, with --dry-run, into PostgreSQL and into the embedded database; beside it
// `npm run import -- --help` (start-up alone). The parse rate uses a sink that keeps nothing. The stored rates use the sink of `npm run import`
// (repos.ohlcv.upsert, one statement per 5,000-bar chunk, awaited before the next chunk is parsed) on
// PostgreSQL (DATABASE_URL, else the local server) and on the embedded database (PGlite over pglite-socket in this
// process, as `npm run import` opens it when DATABASE_URL is unset); market.ohlcv is emptied between runs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDb, type Db, migrate, repos, startEmbeddedDatabase } from '@neuronetiq/db';
import { type BarSink, importCsv } from '@neuronetiq/marketdata';
import { parse } from 'csv-parse';
import { machine, median, writeSection } from './report';

const DATA_DIR = fileURLToPath(new URL('../../shared/data/histdata-eurusd-m1/', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const E2E_ROWS = 50_000;
export const HISTDATA_ROWS = 186_348;

export function histDataFiles(): string[] {
  if (!existsSync(DATA_DIR)) return [];
  return readdirSync(DATA_DIR)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => DATA_DIR + f);
}

export interface ImportRun {
  rows: number;
  stored: number;
  wallMs: number;
  cpuMs: number;
}

/** Imports every HistData file once, in order, through `sink` (as `npm run import` would, minus the CLI). */
export async function importHistData(sink: BarSink, chunkSize = 5_000): Promise<ImportRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  let stored = 0;
  for (const file of histDataFiles()) {
    const r = await importCsv(file, { symbol: 'EURUSD', timeframe: '1m', tz: 'America/New_York', chunkSize }, sink);
    rows += r.rowsRead;
    stored += r.stored;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rows, stored, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export interface ImportRate {
  label: string;
  runs: number;
  rows: number;
  medianWallMs: number;
  /** Rows per second of wall time (median run). */
  rowsPerSecond: number;
  /** Rows per second of this process's CPU time: steadier than wall time on a shared machine. */
  rowsPerCpuSecond: number;
}

/**
 * The extension point for the stored rate: `makeSink` is called before each run and returns the sink (and an
 * optional cleanup, e.g. truncating market.ohlcv). One warm-up run is not counted.
 */
export async function measureImportRate(
  label: string,
  makeSink: () => Promise<{ sink: BarSink; cleanup?: () => Promise<void> }>,
  runs = 5,
): Promise<ImportRate> {
  const results: ImportRun[] = [];
  for (let i = 0; i <= runs; i++) {
    const { sink, cleanup } = await makeSink();
    const r = await importHistData(sink);
    await cleanup?.();
    if (i > 0) results.push(r);
  }
  const rows = results[0]?.rows ?? 0;
  const medianWallMs = median(results.map((r) => r.wallMs));
  return {
    label,
    runs,
    rows,
    medianWallMs,
    rowsPerSecond: rows / (medianWallMs / 1000),
    rowsPerCpuSecond: rows / (median(results.map((r) => r.cpuMs)) / 1000),
  };
}

/** csv-parse alone on the same files, for scale: the share of the importer's time that is the library's. */
async function measureCsvParseAlone(runs: number): Promise<ImportRate> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let rows = 0;
  for (let i = 0; i <= runs; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    rows = 0;
    for (const file of histDataFiles()) {
      const parser = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ delimiter: ';', quote: false }));
      for await (const _ of parser) rows++;
    }
    const cpu = process.cpuUsage(cpu0);
    if (i > 0) {
      walls.push(performance.now() - t0);
      cpus.push((cpu.user + cpu.system) / 1000);
    }
  }
  const medianWallMs = median(walls);
  return {
    label: 'csv-parse alone (split only, no validation)',
    runs,
    rows,
    medianWallMs,
    rowsPerSecond: rows / (medianWallMs / 1000),
    rowsPerCpuSecond: rows / (median(cpus) / 1000),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A migrated, empty database: a fresh one on the PostgreSQL server, or the embedded one. */
export async function openDatabase(
  backend: 'postgres' | 'pglite',
): Promise<{ db: Db; url?: string; close(): Promise<void> }> {
  if (backend === 'pglite') {
    const embedded = await startEmbeddedDatabase({ maxConnections: 4 });
    const db = createDb(embedded.url, { max: 2, applicationName: 'bench-import' });
    await migrate(db);
    return {
      db,
      async close() {
        await db.end();
        await embedded.close();
      },
    };
  }
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `bench_import_${randomBytes(4).toString('hex')}`;
  const admin = createDb(server, { max: 1, applicationName: 'bench-import' });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { max: 2, applicationName: 'bench-import' });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async close() {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The stored rate: every run imports into an empty market.ohlcv and must leave exactly HISTDATA_ROWS rows in it. */
async function measureStored(backend: 'postgres' | 'pglite', runs: number): Promise<ImportRate | string> {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(backend);
  } catch (err) {
    return `not measured: ${(err as Error).message}`;
  }
  const { db } = database;
  try {
    return await measureImportRate(
      backend === 'postgres'
        ? 'stored on PostgreSQL 15 (importCsv → repos.ohlcv.upsert, 5,000 bars per statement)'
        : 'stored on the embedded database (PGlite over pglite-socket, same sink)',
      async () => ({
        sink: async (bars) => {
          await repos.ohlcv.upsert(db, bars);
        },
        cleanup: async () => {
          const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM market.ohlcv');
          if (row?.n !== HISTDATA_ROWS) throw new Error(`expected ${HISTDATA_ROWS} stored rows, found ${row?.n}`);
          await db.query('TRUNCATE market.ohlcv');
        },
      }),
      runs,
    );
  } finally {
    await database.close();
  }
}

/** The first 50,000 HistData rows (January and part of February 2017) in one file. */
function e2eFile(dir: string): string {
  const lines: string[] = [];
  for (const f of histDataFiles()) {
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      if (l.trim().length > 0 && lines.length < E2E_ROWS) lines.push(l);
    }
  }
  const file = join(dir, 'eurusd-m1-50k.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface CommandRate {
  label: string;
  runs: number;
  medianWallMs: number;
  rowsPerSecond: number | null;
  /** CPU of the command's whole process tree (npm, tsx, node), user + system: steadier than wall on a busy machine. */
  medianCpuMs: number;
  rowsPerCpuSecond: number | null;
}

/** Times `npm run import -- <args>` from spawn to exit; `between` runs before each timed run (e.g. emptying a table). */
async function measureCommand(
  label: string,
  args: string[],
  env: Record<string, string>,
  runs: number,
  rows: number | null,
  between?: () => Promise<void>,
): Promise<CommandRate> {
  const walls: number[] = [];
  const cpus: number[] = [];
  const { DATABASE_URL: _, ...inherited } = process.env;
  for (let i = 0; i <= runs; i++) {
    await between?.();
    const t0 = performance.now();
    // GNU time reports the CPU of every descendant it waited for, on the last line of stderr.
    const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'npm', 'run', '--silent', 'import', '--', ...args], {
      cwd: ROOT,
      env: { ...inherited, ...env },
      encoding: 'utf8',
    });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
    const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (cpu === null) throw new Error(`${label}: no CPU time in ${r.stderr}`);
    if (rows !== null && !r.stdout.includes(`${rows.toLocaleString('en-US')} rows read`)) {
      throw new Error(`${label}: the report does not say ${rows} rows read:\n${r.stdout}`);
    }
    if (i > 0) {
      walls.push(wall);
      cpus.push((Number(cpu[1]) + Number(cpu[2])) * 1000);
    }
  }
  const medianWallMs = median(walls);
  const medianCpuMs = median(cpus);
  return {
    label,
    runs,
    medianWallMs,
    rowsPerSecond: rows === null ? null : rows / (medianWallMs / 1000),
    medianCpuMs,
    rowsPerCpuSecond: rows === null ? null : rows / (medianCpuMs / 1000),
  };
}

async function measureEndToEnd(runs: number): Promise<CommandRate[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-e2e-'));
  try {
    const file = e2eFile(dir);
    const args = [file, '--symbol', 'EURUSD', '--tf', '1m', '--tz', 'America/New_York'];
    const out: CommandRate[] = [];
    out.push(await measureCommand('`npm run import -- --help` (start-up alone)', ['--help'], {}, runs, null));
    out.push(
      await measureCommand(
        '`npm run import -- … --dry-run` (read, check, report; no database)',
        [...args, '--dry-run'],
        {},
        runs,
        E2E_ROWS,
      ),
    );
    const pg = await openDatabase('postgres').catch(() => null);
    if (pg) {
      try {
        const url = (pg as { url?: string }).url ?? '';
        out.push(
          await measureCommand(
            '`npm run import` into PostgreSQL 15 (DATABASE_URL; migrations checked, 50,000 bars stored)',
            args,
            { DATABASE_URL: url },
            runs,
            E2E_ROWS,
            async () => {
              await pg.db.query('TRUNCATE market.ohlcv');
            },
          ),
        );
      } finally {
        await pg.close();
      }
    }
    const dataDir = join(dir, 'pglite');
    out.push(
      await measureCommand(
        '`npm run import` into the embedded database (EMBEDDED_DATA_DIR, opened and migrated by the command)',
        args,
        { EMBEDDED_DATA_DIR: dataDir },
        runs,
        E2E_ROWS,
        async () => {
          if (!existsSync(dataDir)) return;
          const embedded = await startEmbeddedDatabase({ dataDir, maxConnections: 2 });
          const db = createDb(embedded.url, { max: 1 });
          await db.query('TRUNCATE market.ohlcv');
          await db.end();
          await embedded.close();
        },
      ),
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (histDataFiles().length === 0) {
    console.error(`No HistData files at ${DATA_DIR}: this benchmark needs ../shared/data next to the repository.`);
    process.exit(1);
  }
  const runs = Number(process.argv[2] ?? 5);
  const loadBefore = os.loadavg()[0] ?? 0;
  const parsed = await measureImportRate(
    'importCsv, parse + validate + New York clock (sink keeps nothing)',
    async () => ({
      sink: async () => {},
    }),
    runs,
  );
  if (parsed.rows !== HISTDATA_ROWS) throw new Error(`expected ${HISTDATA_ROWS} rows, read ${parsed.rows}`);
  const alone = await measureCsvParseAlone(runs);
  const storedPg = await measureStored('postgres', runs);
  const storedEmbedded = await measureStored('pglite', runs);
  const e2eRuns = Math.max(3, Math.min(runs, 5));
  const e2e = await measureEndToEnd(e2eRuns);
  const e2eTable = [
    '| command | median wall (spawn to exit) | rows/s end to end (wall) | median CPU of the command | rows/s end to end (CPU) |',
    '|---|---:|---:|---:|---:|',
    ...e2e.map(
      (r) =>
        `| ${r.label} | ${fmt(r.medianWallMs)} ms | ${r.rowsPerSecond === null ? '—' : fmt(r.rowsPerSecond)} | ${fmt(r.medianCpuMs)} ms | ${r.rowsPerCpuSecond === null ? '—' : fmt(r.rowsPerCpuSecond)} |`,
    ),
  ].join('\n');
  const rowsOf = [parsed, alone, storedPg, storedEmbedded];
  const table = [
    '| what | rows | median wall | rows/s (wall) | rows/s (CPU of this process) |',
    '|---|---:|---:|---:|---:|',
    ...rowsOf.map((r) =>
      typeof r === 'string'
        ? `| stored | — | — | ${r} | — |`
        : `| ${r.label} | ${fmt(r.rows)} | ${fmt(r.medianWallMs)} ms | ${fmt(r.rowsPerSecond)} | ${fmt(r.rowsPerCpuSecond)} |`,
    ),
  ].join('\n');
  const loadAfter = os.loadavg()[0] ?? 0;
  const load = `Load average ${loadBefore.toFixed(1)} at the start and ${loadAfter.toFixed(1)} at the end on ${os.cpus().length} cores (other sessions share the machine): read the CPU columns, which count only this benchmark's processes.`;
  const verdict = parsed.rowsPerSecond > 200_000 ? 'meets' : 'misses';
  const storedVerdict =
    typeof storedPg === 'string'
      ? 'The stored rate on PostgreSQL was not measured (no server).'
      : `Storing on PostgreSQL ${storedPg.rowsPerSecond > 50_000 ? 'meets' : 'misses'} the target of 50,000 rows/s (wall).`;
  const md = `## import (CSV importer, HistData EURUSD 1m)

### End to end: the command as a person runs it, start-up included

\`npm run import -- <file> --symbol EURUSD --tf 1m --tz America/New_York\` on a ${fmt(E2E_ROWS)}-row file (the first
${fmt(E2E_ROWS)} HistData rows), timed from the spawn of \`npm\` to its exit, median of ${e2eRuns} runs after one warm-up;
market.ohlcv is emptied before each stored run. The CPU of a stored run leaves out the database server's (PostgreSQL's),
and includes the embedded one (it runs inside the command). ${load}

${e2eTable}

### Parse and store rates (in process)

\`npm run bench -- import [runs]\` — the six HistData files of \`../shared/data/histdata-eurusd-m1\` (${fmt(HISTDATA_ROWS)} rows),
each imported with \`--tz America/New_York\`, median of ${runs} runs after one warm-up, on ${machine()}.

${table}

Parsing ${verdict} the target of 200,000 rows/s (wall) and reads ${fmt(parsed.rowsPerCpuSecond)} rows per CPU-second. ${storedVerdict} Each file is read and checked whole (dialect,
clock check, duplicates, order, gaps) before its first bar is stored; the stored rows then use the sink of
\`npm run import\`: each 5,000-bar chunk is one \`INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE\` into an emptied
\`market.ohlcv\` (the CPU column counts this process only, so for PostgreSQL it leaves out the server's share, and for
the embedded database it includes the database).`;
  console.log(md);
  writeSection('import', md);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
