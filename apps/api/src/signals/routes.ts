import {
  BatchWriteResponseSchema,
  dataResponse,
  SignalBatchSchema,
  SignalPayloadSchema,
  SignalsQuerySchema,
  StoredSignalSchema,
  WriteHeadersSchema,
} from '@neuronetiq/contracts';
import { errorResponses, NoContent, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { sendStored } from '../http/idempotency';
import { WRITE_ERRORS } from '../writes/write-errors';
import { findSignals } from './find-signals';
import { storeSignal, storeSignalBatch } from './store-signals';

const tags = ['signals'];
const writers = { access: { principal: 'authenticated', scope: 'signals:write' } } as const;

export function signalRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.post(
    '/api/signals/store',
    {
      config: writers,
      schema: {
        summary: 'Store one signal (204)',
        tags,
        headers: WriteHeadersSchema,
        body: SignalPayloadSchema,
        response: {
          204: NoContent('stored, or identical to what is stored'),
          ...errorResponses(...WRITE_ERRORS, 'SIGNAL_IMMUTABLE', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
        },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      const idempotencyKey = req.headers['idempotency-key'];
      return sendStored(reply, await storeSignal(deps, { principal, idempotencyKey, signal: req.body }));
    },
  );

  app.post(
    '/api/signals/batch',
    {
      config: writers,
      schema: {
        summary: 'Store up to 1,000 signals in one statement; one result per item',
        description:
          'Each item is a SignalPayload. All or nothing as to input: one bad item (400, named by index), a forbidden owner or model (403) or a bar more than one bar ahead (422 BAR_IN_FUTURE) stores nothing; a row whose bar closed with other values stored is rejected as SIGNAL_IMMUTABLE, the others stored.',
        tags,
        headers: WriteHeadersSchema,
        body: SignalBatchSchema,
        response: {
          200: BatchWriteResponseSchema.describe('one result per item, in order'),
          ...errorResponses(...WRITE_ERRORS, 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
        },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      const idempotencyKey = req.headers['idempotency-key'];
      return sendStored(reply, await storeSignalBatch(deps, { principal, idempotencyKey, items: req.body.signals }));
    },
  );

  app.get(
    '/api/signals',
    {
      config: { access: { principal: 'authenticated', scope: 'signals:read' } },
      schema: {
        summary: "The caller's own signals, newest bar first",
        tags,
        querystring: SignalsQuerySchema,
        response: {
          200: dataResponse(z.array(StoredSignalSchema)).describe('signals, newest bar first'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => {
      const principal = requireAuthenticated(req.principal);
      return { success: true as const, data: await findSignals(deps, { principal, query: req.query }) };
    },
  );
}
