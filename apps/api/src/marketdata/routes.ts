import type { Readable } from 'node:stream';
import {
  dataResponse,
  ImportCsvResponseSchema,
  ImportQuerySchema,
  OhlcvMultiQuerySchema,
  OhlcvQuerySchema,
  OhlcvSeriesResponseSchema,
  OhlcvUpsertResponseSchema,
  OhlcvUpsertSchema,
  StoredBarSchema,
} from '@neuronetiq/contracts';
import { isValidZone, ZONE_FORMS } from '@neuronetiq/marketdata';
import { AppError, errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { findBars, findManyBarsJson, upsertBars } from './bars';
import { importBarsCsv } from './import-csv';

const tags = ['marketdata'];

export function marketdataRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/marketdata/ohlcv',
    {
      config: { access: { principal: 'anyone' } },
      schema: {
        summary: 'Bars of one series, newest first (anyone: market data is public, like the charts)',
        tags,
        querystring: OhlcvQuerySchema,
        response: { 200: dataResponse(z.array(StoredBarSchema)), ...errorResponses() },
      },
    },
    async (req) => ({
      success: true as const,
      data: await findBars(deps, { principal: req.principal, query: req.query }),
    }),
  );

  app.post(
    '/api/marketdata/ohlcv/query',
    {
      config: { access: { principal: 'authenticated' } },
      schema: {
        summary: "Many series' newest bars in one request (at most 1,000 series)",
        tags,
        body: OhlcvMultiQuerySchema,
        response: { 200: OhlcvSeriesResponseSchema, ...errorResponses('UNAUTHENTICATED') },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      // The bars arrive from the database as JSON text and are passed through unparsed.
      const json = await findManyBarsJson(deps, { principal, query: req.body });
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );

  app.post(
    '/api/marketdata/import',
    {
      config: { access: { principal: 'service' } },
      schema: {
        summary:
          'Import a CSV of bars (service key): HistData, Binance, Yahoo, CryptoDataDownload or a generic headed CSV',
        description:
          'The body is the file (Content-Type: text/csv), streamed into the same importer as `npm run import`. Good rows are stored, every bad row is reported with its line number and reason, and the report says which clock was assumed.',
        tags,
        querystring: ImportQuerySchema.refine((q) => q.tz === undefined || isValidZone(q.tz), {
          path: ['tz'],
          error: `tz must be ${ZONE_FORMS} (default UTC)`,
        }),
        response: {
          200: ImportCsvResponseSchema.describe(
            'the import report; `success` is false when a row was rejected (the good rows are stored)',
          ),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
        },
      },
    },
    async (req) => {
      if (!(req.body && typeof (req.body as Readable).pipe === 'function')) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', {
          message: 'send the CSV file as the body with Content-Type: text/csv',
        });
      }
      const stream = req.body as Readable;
      const report = await importBarsCsv(deps, { stream, ...req.query, maxBytes: deps.importMaxBytes });
      return { success: report.rejected.count === 0, data: report };
    },
  );

  app.post(
    '/api/marketdata/ohlcv',
    {
      config: { access: { principal: 'service' } },
      schema: {
        summary:
          'Bulk upsert of bars (service key); one bad bar (400, named by index) or a bar more than one bar ahead (422 BAR_IN_FUTURE) stores none',
        tags,
        body: OhlcvUpsertSchema,
        response: {
          200: OhlcvUpsertResponseSchema.describe('every bar stored (rejected is empty)'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'BAR_IN_FUTURE'),
        },
      },
    },
    async (req) => upsertBars(deps, { items: req.body.bars }),
  );
}
