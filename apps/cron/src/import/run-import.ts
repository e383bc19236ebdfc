import { createOhlcvRepository, type Db } from '@neuronetiq/db';
import { type ImportOptions, type ImportReport, importCsv } from '@neuronetiq/marketdata';

/**
 * Imports a CSV file straight into market.ohlcv (the database's owner connection; no api round trip), chunk by
 * chunk. Re-importing a file is harmless: bars are upserted and unchanged ones are left alone.
 */
export async function importCsvToDatabase(
  db: Db,
  file: string,
  options: ImportOptions & { dryRun?: boolean },
): Promise<ImportReport> {
  const ohlcv = createOhlcvRepository(db);
  const { dryRun, ...importOptions } = options;
  return importCsv(file, importOptions, async (bars) => {
    if (!dryRun) await ohlcv.upsert(bars);
  });
}
