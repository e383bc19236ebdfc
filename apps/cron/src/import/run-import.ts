import { TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { createOhlcvRepository, type Db } from '@neuronetiq/db';
import { type ImportOptions, type ImportReport, importCsv } from '@neuronetiq/marketdata';
import { type RollUpReport, rollUpBars } from '../resample/roll-up-bars';

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

/**
 * After a 1m import (`--resample`): rolls the imported range up into larger timeframes. Buckets still open at `nowMs`
 * are left for the cron's roll-up to write once they close.
 */
export async function rollUpImportedRange(
  db: Db,
  report: Pick<ImportReport, 'symbol' | 'range'>,
  timeframes: readonly Timeframe[],
  nowMs: number,
): Promise<RollUpReport> {
  const { first, last } = report.range;
  const empty = { timeframes, fromMs: 0, toMs: 0 };
  const range =
    first && last ? { timeframes, fromMs: Date.parse(first), toMs: Date.parse(last) + TIMEFRAME_MS['1m'] } : empty;
  return rollUpBars(db, { symbol: report.symbol, nowMs, ...range });
}

/** One line per target: `resampled 5m: 2,016 bars written (2,016 closed buckets, 3 with holes)`. */
export function formatRollUpReport(report: RollUpReport): string {
  return Object.keys(report.written)
    .map((tf) => {
      const t = tf as Timeframe;
      return `resampled ${t}: ${report.written[t] ?? 0} bars written (${report.built[t] ?? 0} closed buckets, ${report.sparseBuckets[t] ?? 0} with holes)`;
    })
    .join('\n');
}
