import type { Timeframe } from '@neuronetiq/contracts';
import { type Db, repos } from '@neuronetiq/db';
import { type BarSink, type ImportOptions, type ImportReport, importCsv } from '@neuronetiq/marketdata';

/** Bars written (inserted or changed) per timeframe by one import; a re-import of the same file writes none. */
export type WrittenBars = Partial<Record<Timeframe, number>>;

/**
 * The sink of `npm run import`: upserts each chunk straight into market.ohlcv (the database's owner connection; no
 * api round trip) and counts what changed per timeframe. Unchanged bars are left alone.
 */
export function createDatabaseSink(db: Db): { sink: BarSink; written: WrittenBars } {
  const written: WrittenBars = {};
  return {
    written,
    sink: async (bars) => {
      const tf = bars[0]?.timeframe;
      if (tf === undefined) return;
      written[tf] = (written[tf] ?? 0) + (await repos.ohlcv.upsert(db, bars));
    },
  };
}

/** `written: 1m 120 bars, 5m 24 bars` (0 for a timeframe whose bars were all stored already). */
export function formatWritten(written: WrittenBars): string {
  const parts = Object.entries(written).map(([tf, n]) => `${tf} ${(n ?? 0).toLocaleString('en-US')} bars`);
  return `written to the database (new or changed): ${parts.length > 0 ? parts.join(', ') : 'nothing'}`;
}

/** Reads, checks and upserts a CSV file into market.ohlcv (throws ImportError, nothing stored, when refused). */
export async function importCsvToDatabase(db: Db, file: string, options: ImportOptions): Promise<ImportReport> {
  return importCsv(file, options, createDatabaseSink(db).sink);
}
