import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { createApiClient } from '@neuronetiq/client';
import type { ImportFormat, ImportProgress, ImportReport } from '@neuronetiq/marketdata';

export interface ImportViaApiOptions {
  apiUrl: string;
  serviceRoleKey: string;
  symbol: string;
  timeframe: ImportReport['timeframe'];
  format?: ImportFormat;
  tz?: string;
  /** Bytes sent so far (the api counts the rows; they come back in the report). */
  onProgress?: (p: ImportProgress) => void;
}

/**
 * `npm run import -- … --api <url>`: streams the file to `POST /api/marketdata/import`, where the same importer runs
 * and stores the bars as the service, and returns the api's report. For a database this machine cannot reach.
 */
export async function importCsvViaApi(file: string, o: ImportViaApiOptions): Promise<ImportReport> {
  const totalBytes = statSync(file).size;
  let bytesRead = 0;
  const counted = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytesRead += chunk.length;
        o.onProgress?.({
          phase: 'read',
          rowsRead: 0,
          stored: 0,
          rejected: 0,
          duplicates: 0,
          bytesRead,
          totalBytes,
          toStore: 0,
        });
        done(null, chunk);
      },
    }),
  );
  const api = createApiClient({ baseUrl: o.apiUrl, token: o.serviceRoleKey });
  return api.importCsv(Readable.toWeb(counted) as ReadableStream<Uint8Array>, {
    symbol: o.symbol,
    timeframe: o.timeframe,
    format: o.format,
    tz: o.tz,
  });
}
