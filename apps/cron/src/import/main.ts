// `npm run import -- <file> --symbol EURUSD --tf 1m [--tz …] [--resample 5m,1h] [--dry-run] [--api <url>]`: reads and
// checks a CSV of bars (dialect, clock, defects) before anything else, then stores it into the database at
// DATABASE_URL, or the embedded one under EMBEDDED_DATA_DIR, or through the api's POST /api/marketdata/import with
// `--api` (SERVICE_ROLE_KEY), and prints the report. Exit codes: 0 stored (bad rows are reported, not fatal),
// 1 the file could not be read or was refused, 2 a usage mistake.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db, EmbeddedDatabase } from '@neuronetiq/db';
import {
  createImportProgressBar,
  formatImportReport,
  ImportArgsError,
  type ImportCliOptions,
  ImportError,
  type ImportReport,
  parseImportArgs,
  readCsv,
} from '@neuronetiq/marketdata';
import { loadImportEnv } from '../env';

/** Files smaller than this import in about a second: no progress bar. */
const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;

/** Null when the file can be read; else the one line that says why not. */
function unreadable(path: string, shown: string): string | null {
  try {
    if (statSync(path).isDirectory()) return `"${shown}" is a directory, not a file`;
    accessSync(path, constants.R_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `file "${shown}" does not exist (looked for ${path})`;
    if (code === 'EACCES') return `file "${shown}" cannot be read (permission denied)`;
    return `file "${shown}" cannot be read (${code ?? (err as Error).message})`;
  }
}

function printReport(o: ImportCliOptions, report: ImportReport, extra?: string): void {
  if (o.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatImportReport(report) + (extra ? `\n${extra}` : ''));
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseImportArgs>;
  try {
    parsed = parseImportArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ImportArgsError) {
      console.error(`${err.message}\n\n${err.usage}`);
      return 2;
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    console.log(parsed.text);
    return 0;
  }
  const o = parsed.options;
  const env = loadImportEnv();
  if (env.deprecation) console.error(env.deprecation);
  // npm runs scripts from the repository root; INIT_CWD is where the person typed the command.
  const path = resolve(env.callerCwd ?? process.cwd(), o.file);
  const problem = unreadable(path, o.file);
  if (problem !== null) {
    console.error(`import failed: ${problem}`);
    return 1;
  }
  if (o.apiUrl !== undefined) return importThroughApi(o, path, env.serviceRoleKey);

  const big = statSync(path).size >= PROGRESS_MIN_BYTES;
  const progress = big
    ? createImportProgressBar({ label: o.symbol, stream: o.json ? process.stderr : process.stdout })
    : createImportProgressBar({ stream: { isTTY: false } as NodeJS.WriteStream });
  let checked: Awaited<ReturnType<typeof readCsv>>;
  try {
    // Read and check the whole file first: a file refused at line 1 never costs a database start-up.
    checked = await readCsv(path, {
      symbol: o.symbol,
      timeframe: o.timeframe,
      format: o.format,
      tz: o.tz,
      force: o.force,
      dialect: o.dialect,
      calendar: o.calendar,
      resample: o.resample,
      dryRun: o.dryRun,
      chunkSize: o.chunkSize,
      onProgress: progress.onProgress,
    });
  } catch (err) {
    progress.stop();
    if (err instanceof ImportError) {
      console.error(`import failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const { report } = checked;
  if (report.refused !== null) {
    progress.stop();
    printReport(o, report);
    // The text report ends with the reason already; JSON on stdout needs it said on stderr.
    if (o.json) console.error(`import refused: ${report.refused}`);
    return 1;
  }
  if (o.dryRun) {
    progress.stop();
    printReport(o, report, '(dry run: nothing stored, no database opened)');
    return 0;
  }

  // Loaded only now: the database driver and the embedded PostgreSQL take over a second to load, which a file
  // refused above (or a dry run) never pays.
  const { createDb, migrate, startEmbeddedDatabase } = await import('@neuronetiq/db');
  const { createDatabaseSink, formatWritten } = await import('./run-import');
  let embedded: EmbeddedDatabase | undefined;
  let db: Db | undefined;
  try {
    if (!env.databaseUrl) {
      embedded = await startEmbeddedDatabase({ dataDir: env.embeddedDataDir, maxConnections: 4 });
      console.error(`embedded database at ${env.embeddedDataDir} (set DATABASE_URL for another one)`);
    }
    db = createDb(env.databaseUrl ?? embedded?.url ?? '', { max: 2, applicationName: 'import' });
    await migrate(db);
    const { sink, written } = createDatabaseSink(db);
    try {
      await checked.store(sink);
    } finally {
      progress.stop();
    }
    printReport(o, o.json ? ({ ...report, written } as ImportReport) : report, formatWritten(written));
    return 0;
  } finally {
    await db?.end();
    await embedded?.close();
  }
}

async function importThroughApi(
  o: ImportCliOptions,
  path: string,
  serviceRoleKey: string | undefined,
): Promise<number> {
  if (!serviceRoleKey) {
    console.error('import failed: --api needs the service role key in SERVICE_ROLE_KEY');
    return 2;
  }
  const progress = createImportProgressBar({ label: o.symbol, upload: true });
  const { importCsvViaApi } = await import('./import-via-api');
  try {
    const report = await importCsvViaApi(path, {
      apiUrl: o.apiUrl ?? '',
      serviceRoleKey,
      symbol: o.symbol,
      timeframe: o.timeframe,
      format: o.format,
      tz: o.tz,
      onProgress: progress.onProgress,
    });
    progress.stop();
    console.error(`imported through the api at ${o.apiUrl}`);
    printReport(o, report);
    return 0;
  } catch (err) {
    progress.stop();
    // The api's answer (bad file, refused key) or no answer at all: either way the message says which.
    console.error(`import failed: ${(err as Error).message}`);
    return 1;
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  // A database that cannot be reached, a disk that fails: one line, not a stack trace.
  console.error(`import failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
