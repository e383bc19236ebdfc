// `npm run import -- <file> --symbol EURUSD --tf 1m [--format …] [--tz …] [--resample 5m,1h] [--api <url>]`: imports a
// CSV of bars into the database at DATABASE_URL, or into the embedded one under EMBEDDED_DATA_DIR, or through the
// api's POST /api/marketdata/import with `--api` (SERVICE_ROLE_KEY), and prints the report and the clock assumed;
// `--resample` then rolls the imported 1m range up into larger timeframes and prints the bars written per timeframe.
import { existsSync } from 'node:fs';
import { createDb, type Db, type EmbeddedDatabase, migrate, startEmbeddedDatabase } from '@neuronetiq/db';
import {
  createImportProgressBar,
  formatImportReport,
  ImportArgsError,
  ImportError,
  parseImportArgs,
} from '@neuronetiq/marketdata';
import { loadImportEnv } from '../env';
import { importCsvViaApi } from './import-via-api';
import { formatRollUpReport, importCsvToDatabase, rollUpImportedRange } from './run-import';

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
  if (o.apiUrl !== undefined) return importThroughApi(o, env.serviceRoleKey);
  let embedded: EmbeddedDatabase | undefined;
  let db: Db | undefined;
  try {
    if (!env.databaseUrl) {
      embedded = await startEmbeddedDatabase({ dataDir: env.embeddedDataDir, maxConnections: 4 });
      console.error(`embedded database at ${env.embeddedDataDir} (set DATABASE_URL for another one)`);
    }
    db = createDb(env.databaseUrl ?? embedded?.url ?? '', { max: 2, applicationName: 'import' });
    if (!o.dryRun) await migrate(db);
    const progress = createImportProgressBar({ label: o.symbol });
    let report: Awaited<ReturnType<typeof importCsvToDatabase>>;
    try {
      report = await importCsvToDatabase(db, o.file, {
        symbol: o.symbol,
        timeframe: o.timeframe,
        format: o.format,
        tz: o.tz,
        calendar: o.calendar,
        chunkSize: o.chunkSize,
        dryRun: o.dryRun,
        onProgress: progress.onProgress,
      });
    } finally {
      progress.stop();
    }
    const rollUp = o.resample.length > 0 ? await rollUpImportedRange(db, report, o.resample, Date.now()) : undefined;
    if (o.json) console.log(JSON.stringify(rollUp ? { ...report, resample: rollUp } : report, null, 2));
    else console.log(formatImportReport(report) + (rollUp ? `\n${formatRollUpReport(rollUp)}` : ''));
    return 0;
  } catch (err) {
    if (err instanceof ImportError) {
      console.error(`import failed: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await db?.end();
    await embedded?.close();
  }
}

async function importThroughApi(
  o: Extract<ReturnType<typeof parseImportArgs>, { kind: 'run' }>['options'],
  serviceRoleKey: string | undefined,
): Promise<number> {
  if (!serviceRoleKey) {
    console.error('import failed: --api needs the service role key in SERVICE_ROLE_KEY');
    return 2;
  }
  if (!existsSync(o.file)) {
    console.error(`import failed: file "${o.file}" does not exist`);
    return 1;
  }
  const progress = createImportProgressBar({ label: o.symbol, upload: true });
  try {
    const report = await importCsvViaApi(o.file, {
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
    console.log(o.json ? JSON.stringify(report, null, 2) : formatImportReport(report));
    return 0;
  } catch (err) {
    progress.stop();
    // The api's answer (bad file, refused key) or no answer at all: either way the message says which.
    console.error(`import failed: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
