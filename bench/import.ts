// `npm run bench -- import [runs]`: rows/s of the CSV importer on the six HistData EURUSD 1m files
// (186,348 rows, New York clock with DST). Target: > 200,000 rows/s parsed, and 50,000 rows/s stored on PostgreSQL.
// The parse rate uses a sink that keeps nothing. The stored rates use the sink of `npm run import`
// (createOhlcvRepository(db).upsert, one statement per 5,000-bar chunk, awaited before the next chunk is parsed) on
// PostgreSQL (DATABASE_URL, else the local server) and on the embedded database (PGlite over pglite-socket in this
// process, as `npm run import` opens it when DATABASE_URL is unset); market.ohlcv is emptied between runs.
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDb, createOhlcvRepository, type Db, migrate, startEmbeddedDatabase } from '@neuronetiq/db';
import { type BarSink, importCsv } from '@neuronetiq/marketdata';
import { parse } from 'csv-parse';
import { machine, median, writeSection } from './report';

const DATA_DIR = fileURLToPath(new URL('../../shared/data/histdata-eurusd-m1/', import.meta.url));
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
export async function openDatabase(backend: 'postgres' | 'pglite'): Promise<{ db: Db; close(): Promise<void> }> {
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
  const ohlcv = createOhlcvRepository(db);
  try {
    return await measureImportRate(
      backend === 'postgres'
        ? 'stored on PostgreSQL 15 (importCsv → createOhlcvRepository(db).upsert, 5,000 bars per statement)'
        : 'stored on the embedded database (PGlite over pglite-socket, same sink)',
      async () => ({
        sink: async (bars) => {
          await ohlcv.upsert(bars);
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

async function main(): Promise<void> {
  if (histDataFiles().length === 0) {
    console.error(`No HistData files at ${DATA_DIR}: this benchmark needs ../shared/data next to the repository.`);
    process.exit(1);
  }
  const runs = Number(process.argv[2] ?? 5);
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
  const verdict = parsed.rowsPerSecond > 200_000 ? 'meets' : 'misses';
  const storedVerdict =
    typeof storedPg === 'string'
      ? 'The stored rate on PostgreSQL was not measured (no server).'
      : `Storing on PostgreSQL ${storedPg.rowsPerSecond > 50_000 ? 'meets' : 'misses'} the target of 50,000 rows/s (wall).`;
  const md = `## import (CSV importer, HistData EURUSD 1m)

\`npm run bench -- import [runs]\` — the six HistData files of \`../shared/data/histdata-eurusd-m1\` (${fmt(HISTDATA_ROWS)} rows),
each imported with \`--tz America/New_York\`, median of ${runs} runs after one warm-up, on ${machine()}.

${table}

Parsing ${verdict} the target of 200,000 rows/s (wall). ${storedVerdict} The stored rows use the sink of \`npm run import\`:
each 5,000-bar chunk is one \`INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE\` into an emptied \`market.ohlcv\`,
awaited before the importer parses on (parsing and storing take turns; the CPU column counts this process only, so
for PostgreSQL it leaves out the server's share, and for the embedded database it includes the database).`;
  console.log(md);
  writeSection('import', md);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
