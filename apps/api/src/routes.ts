import type { Readable } from 'node:stream';
import {
  ConsensusBatchSchema,
  ConsensusPayloadSchema,
  ConsensusQuerySchema,
  CreateApiKeySchema,
  IMPORT_FORMATS,
  OhlcvMultiQuerySchema,
  OhlcvQuerySchema,
  OhlcvUpsertSchema,
  OUTBOX_STATUSES,
  PerformanceQuerySchema,
  RegisterModelSchema,
  SignalBatchSchema,
  SignalPayloadSchema,
  SignalsQuerySchema,
  SlugSchema,
  SymbolSchema,
  TimeframeSchema,
} from '@neuronetiq/contracts';
import { pendingMigrations } from '@neuronetiq/db';
import { isValidZone } from '@neuronetiq/marketdata';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { listOutbox } from './admin/list-outbox';
import { requireAuthenticated, requireScope, requireService } from './auth/principal';
import { registerCliDeviceRoutes } from './cli-device/routes';
import { findConsensus, storeConsensus, storeConsensusBatch } from './consensus/store-consensus';
import type { ApiDeps } from './deps';
import { AppError } from './errors';
import { parseIdempotencyKey, type StoredResponse } from './http/idempotency';
import { parseOrThrow } from './http/validate';
import { createApiKey, findApiKeys, revokeApiKey } from './keys/keys';
import { findBars, findManyBarsJson, upsertBars } from './marketdata/bars';
import { importBarsCsv } from './marketdata/import-csv';
import { registerMarketplaceRoutes } from './marketplace/routes';
import { getMe } from './me/get-me';
import { findModels, registerModel } from './models/models';
import { findPerformance } from './performance/find-performance';
import { findSignals } from './signals/find-signals';
import { storeSignal, storeSignalBatch } from './signals/store-signals';
import { registerStreamRoutes } from './stream/routes';

const send = (reply: FastifyReply, r: StoredResponse & { replayed: boolean }) => {
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  return r.status === 204 ? reply.code(204).send() : reply.code(r.status).send(r.body);
};
const idempotencyKey = (req: FastifyRequest) => parseIdempotencyKey(req.headers['idempotency-key']);

const ListQuerySchema = z.strictObject({
  owner: SlugSchema.optional(),
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 1000' })
    .int({ error: 'limit must be a whole number from 1 to 1000' })
    .min(1, { error: 'limit must be a whole number from 1 to 1000' })
    .max(1000, { error: 'limit must be a whole number from 1 to 1000' })
    .default(100),
});
const ImportQuerySchema = z.strictObject({
  symbol: SymbolSchema,
  tf: TimeframeSchema,
  format: z.enum(IMPORT_FORMATS, { error: `format must be one of ${IMPORT_FORMATS.join(', ')}` }).optional(),
  tz: z
    .string()
    .refine(isValidZone, { error: 'tz must be an IANA time zone, e.g. America/New_York (default UTC)' })
    .optional(),
});
const OwnerQuerySchema = z.strictObject({ owner: SlugSchema.optional() });
const OutboxQuerySchema = z.strictObject({
  status: z.enum(OUTBOX_STATUSES, { error: `status must be one of ${OUTBOX_STATUSES.join(', ')}` }).optional(),
  limit: ListQuerySchema.shape.limit,
});

/** Every route of the api. Handlers parse, call one use case, and answer. */
export function registerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/health/ready', async (_req, reply) => {
    try {
      const pending = await pendingMigrations(deps.db);
      if (pending.length) {
        return reply.code(503).send({ status: 'migrations pending', pending });
      }
      return { status: 'ready', database: 'reachable', migrations: 'current' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.get('/api/marketdata/ohlcv', async (req) => {
    const principal = requireAuthenticated(req.principal);
    const query = parseOrThrow(OhlcvQuerySchema, req.query, 'query');
    return { success: true, data: await findBars(deps, { principal, query }) };
  });

  app.post('/api/marketdata/ohlcv/query', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    const query = parseOrThrow(OhlcvMultiQuerySchema, req.body, 'body');
    return reply.type('application/json; charset=utf-8').send(await findManyBarsJson(deps, { principal, query }));
  });

  app.post('/api/marketdata/import', async (req) => {
    requireService(req.principal);
    const query = parseOrThrow(ImportQuerySchema, req.query, 'query');
    if (!(req.body && typeof (req.body as Readable).pipe === 'function')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', {
        message: 'send the CSV file as the body with Content-Type: text/csv',
      });
    }
    const report = await importBarsCsv(deps, { stream: req.body as Readable, ...query, maxBytes: deps.importMaxBytes });
    return { success: report.rejected.count === 0, data: report };
  });

  app.post('/api/marketdata/ohlcv', async (req) => {
    requireService(req.principal);
    const body = parseOrThrow(OhlcvUpsertSchema, req.body, 'body');
    return upsertBars(deps, { items: body.bars });
  });

  app.post('/api/signals/store', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    requireScope(principal, 'signals:write');
    const key = idempotencyKey(req);
    const signal = parseOrThrow(SignalPayloadSchema, req.body, 'signal');
    return send(reply, await storeSignal(deps, { principal, idempotencyKey: key, signal }));
  });

  app.post('/api/signals/batch', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    requireScope(principal, 'signals:write');
    const key = idempotencyKey(req);
    const body = parseOrThrow(SignalBatchSchema, req.body, 'body');
    return send(reply, await storeSignalBatch(deps, { principal, idempotencyKey: key, items: body.signals }));
  });

  app.get('/api/signals', async (req) => {
    const principal = requireAuthenticated(req.principal);
    requireScope(principal, 'signals:read');
    const query = parseOrThrow(SignalsQuerySchema, req.query, 'query');
    return { success: true, data: await findSignals(deps, { principal, query }) };
  });

  app.post('/api/consensus/store', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    requireScope(principal, 'signals:write');
    const key = idempotencyKey(req);
    const consensus = parseOrThrow(ConsensusPayloadSchema, req.body, 'consensus');
    return send(reply, await storeConsensus(deps, { principal, idempotencyKey: key, consensus }));
  });

  app.post('/api/consensus/batch', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    requireScope(principal, 'signals:write');
    const key = idempotencyKey(req);
    const body = parseOrThrow(ConsensusBatchSchema, req.body, 'body');
    return send(reply, await storeConsensusBatch(deps, { principal, idempotencyKey: key, items: body.consensus }));
  });

  app.get('/api/consensus', async (req) => {
    const principal = requireAuthenticated(req.principal);
    requireScope(principal, 'signals:read');
    const query = parseOrThrow(ConsensusQuerySchema, req.query, 'query');
    return { success: true, data: await findConsensus(deps, { principal, query }) };
  });

  app.get('/api/models', async (req) => {
    const query = parseOrThrow(ListQuerySchema, req.query, 'query');
    return { success: true, data: await findModels(deps, { principal: req.principal, ...query }) };
  });

  app.get('/api/performance', async (req) => {
    const query = parseOrThrow(PerformanceQuerySchema, req.query, 'query');
    return { success: true, data: await findPerformance(deps, { principal: req.principal, query }) };
  });

  app.post('/api/models', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    const model = parseOrThrow(RegisterModelSchema, req.body, 'model');
    return reply.code(201).send({ success: true, data: await registerModel(deps, { principal, model }) });
  });

  app.get('/api/me', async (req) => {
    const principal = requireAuthenticated(req.principal);
    return { success: true, data: await getMe(deps, principal) };
  });

  app.post('/api/keys', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    const input = parseOrThrow(CreateApiKeySchema, req.body ?? {}, 'body');
    const { key, record } = await createApiKey(deps, { principal, input });
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ success: true, data: { ...record, key } });
  });

  app.get('/api/keys', async (req) => {
    const principal = requireAuthenticated(req.principal);
    const { owner } = parseOrThrow(OwnerQuerySchema, req.query, 'query');
    return { success: true, data: await findApiKeys(deps, { principal, owner }) };
  });

  app.get('/api/admin/outbox', async (req) => {
    requireService(req.principal);
    const query = parseOrThrow(OutboxQuerySchema, req.query, 'query');
    return { success: true, data: await listOutbox(deps, query) };
  });

  app.delete<{ Params: { id: string } }>('/api/keys/:id', async (req) => {
    const principal = requireAuthenticated(req.principal);
    if (!/^[0-9a-f-]{36}$/i.test(req.params.id)) {
      throw new AppError('NOT_FOUND', { message: `no API key with id "${req.params.id}"` });
    }
    return { success: true, data: await revokeApiKey(deps, { principal, id: req.params.id }) };
  });

  registerMarketplaceRoutes(app, deps);
  registerStreamRoutes(app, deps);
  registerCliDeviceRoutes(app, deps);
}
