import type { Readable } from 'node:stream';
import type { OhlcvBar } from '@neuronetiq/contracts';
import { type ImportOptions, importCsv } from '../import/import-csv';
import type { ImportReport } from '../import/report';
import { type BarFeed, type ReplayOptions, replayBars } from './feeds';

/**
 * Imports a CSV into memory (with the importer's checks and report) and replays it as a BarFeed. Replays are demo
 * sized, so holding the bars is fine and lets newest-first files play in time order.
 */
export async function replayCsv(
  source: Readable | string,
  importOptions: ImportOptions,
  replayOptions: ReplayOptions,
): Promise<{ feed: BarFeed; report: ImportReport }> {
  const bars: OhlcvBar[] = [];
  const report = await importCsv(source, importOptions, async (chunk) => {
    bars.push(...chunk);
  });
  return { feed: replayBars(bars, replayOptions), report };
}
