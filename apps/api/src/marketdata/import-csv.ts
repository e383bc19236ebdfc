import { type Readable, Transform } from 'node:stream';
import type { ImportFormat, ImportReport } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { ImportError, importCsv } from '@neuronetiq/marketdata';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';

export interface ImportCsvRequest {
  stream: Readable;
  symbol: string;
  tf: string;
  format?: ImportFormat | undefined;
  tz?: string | undefined;
  maxBytes: number;
}

/**
 * POST /api/marketdata/import: the same importer as `npm run import`, fed by the request body as it streams in. The
 * whole file is read and checked first (a file whose clock does not fit its market's week is refused without `tz`,
 * nothing stored); then each chunk of good bars is upserted in its own transaction as the service role. The report
 * names every rejected row.
 */
export async function importBarsCsv(deps: ApiDeps, req: ImportCsvRequest): Promise<ImportReport> {
  let bytes = 0;
  const limited = req.stream.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > req.maxBytes) {
          done(
            new AppError('PAYLOAD_TOO_LARGE', {
              message: `the CSV exceeds ${req.maxBytes} bytes; split the file (bars already stored are kept)`,
            }),
          );
          return;
        }
        done(null, chunk);
      },
    }),
  );
  req.stream.on('error', (err) => limited.destroy(err));
  try {
    const report = await importCsv(
      limited,
      { symbol: req.symbol, timeframe: req.tf as never, format: req.format, tz: req.tz },
      async (bars) => {
        const written = await deps.db.asRequest({ role: 'service_role', claims: {} }, (tx) =>
          repos.ohlcv.upsert(tx, bars),
        );
        deps.metrics.barsStored.inc(written);
      },
    );
    if (report.rejected.count) deps.metrics.validationFailures.inc({ code: 'VALIDATION_ERROR' }, report.rejected.count);
    return report;
  } catch (err) {
    if (err instanceof ImportError) {
      // A suspect clock is answered by naming the zone (tz=…), as `npm run import` answers it with --tz.
      const path = err.code === 'OPTIONS_INVALID' ? 'query' : err.code === 'CLOCK_SUSPECT' ? 'tz' : 'body';
      throw new AppError('VALIDATION_ERROR', { message: err.message, details: [{ path, message: err.message }] });
    }
    throw err;
  }
}
