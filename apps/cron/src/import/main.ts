// `npm run import -- <file> --symbol EURUSD --tf 1m [--format …] [--tz …]`: imports a CSV of bars into the database
// at DATABASE_URL, or into the embedded one under EMBEDDED_DATA_DIR, and prints the report and the clock assumed.
import { createDb, type Db, type EmbeddedDatabase, migrate, startEmbeddedDatabase } from '@neuronetiq/db';
import {
  createImportProgressBar,
  formatImportReport,
  ImportArgsError,
  ImportError,
  parseImportArgs,
} from '@neuronetiq/marketdata';
import { loadImportEnv } from '../env';
import { importCsvToDatabase } from './run-import';

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
    console.log(o.json ? JSON.stringify(report, null, 2) : formatImportReport(report));
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

process.exitCode = await main();
