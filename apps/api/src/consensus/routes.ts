import {
  BatchWriteResponseSchema,
  ConsensusBatchSchema,
  ConsensusPayloadSchema,
  ConsensusQuerySchema,
  dataResponse,
  StoredConsensusSchema,
  WriteHeadersSchema,
} from '@neuronetiq/contracts';
import { errorResponses, NoContent, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { sendStored } from '../http/idempotency';
import { WRITE_ERRORS } from '../writes/write-errors';
import { findConsensus, storeConsensus, storeConsensusBatch } from './store-consensus';

const tags = ['consensus'];
const writers = { access: { principal: 'authenticated', scope: 'signals:write' } } as const;

export function consensusRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.post(
    '/api/consensus/store',
    {
      config: writers,
      schema: {
        summary: 'Store one consensus (204)',
        tags,
        headers: WriteHeadersSchema,
        body: ConsensusPayloadSchema,
        response: {
          204: NoContent('stored, or identical to what is stored'),
          ...errorResponses(...WRITE_ERRORS, 'SIGNAL_IMMUTABLE', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
        },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      const idempotencyKey = req.headers['idempotency-key'];
      return sendStored(reply, await storeConsensus(deps, { principal, idempotencyKey, consensus: req.body }));
    },
  );

  app.post(
    '/api/consensus/batch',
    {
      config: writers,
      schema: {
        summary: 'Store up to 1,000 consensus rows in one statement; one result per item',
        description:
          'Each item is a ConsensusPayload. All or nothing as to input: one bad item (400, named by index), a forbidden owner (403) or a bar more than one bar ahead (422 BAR_IN_FUTURE) stores nothing; a row whose bar closed with other values stored is rejected as SIGNAL_IMMUTABLE, the others stored.',
        tags,
        headers: WriteHeadersSchema,
        body: ConsensusBatchSchema,
        response: {
          200: BatchWriteResponseSchema.describe('one result per item, in order'),
          ...errorResponses(...WRITE_ERRORS, 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
        },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      const idempotencyKey = req.headers['idempotency-key'];
      const items = req.body.consensus;
      return sendStored(reply, await storeConsensusBatch(deps, { principal, idempotencyKey, items }));
    },
  );

  app.get(
    '/api/consensus',
    {
      config: { access: { principal: 'authenticated', scope: 'signals:read' } },
      schema: {
        summary: "The caller's own consensus rows, newest bar first",
        tags,
        querystring: ConsensusQuerySchema,
        response: {
          200: dataResponse(z.array(StoredConsensusSchema)).describe('consensus rows, newest bar first'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => {
      const principal = requireAuthenticated(req.principal);
      return { success: true as const, data: await findConsensus(deps, { principal, query: req.query }) };
    },
  );
}
