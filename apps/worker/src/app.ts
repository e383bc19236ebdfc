// Builds the worker's Fastify app without listening: tests and server.ts both start from here.
import { randomUUID } from 'node:crypto';
import { createModelRegistry, type ModelRegistry } from '@neuronetiq/models';
import { clientErrorHandler, installContractsVersion, installErrorHandling } from '@neuronetiq/service';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerFeatureRoutes } from './features/routes';
import { registerHealthRoutes } from './health/routes';
import type { WorkerContext } from './http/context';
import { createWorkerMetrics } from './http/metrics';
import { registerModelRoutes } from './models/routes';
import { registerPredictRoutes } from './predict/routes';
import { decodeSeriesJson } from './validation/decode-series';
import { DecodedSeriesBody } from './validation/parse-request';

export interface WorkerAppConfig {
  /** Largest request body in bytes (`WORKER_BODY_LIMIT_BYTES`). */
  readonly bodyLimitBytes: number;
  /** Most bars per request over all its series (`WORKER_MAX_BARS_PER_REQUEST`). */
  readonly maxBarsPerRequest: number;
  /** Fastify's logger option: false in tests, a pino level in production. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Server timeouts (ms); server.ts sets them, tests leave Fastify's defaults. */
  readonly requestTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
}

export interface WorkerAppDeps {
  /** The models to serve; the built-in ones by default. */
  readonly registry?: ModelRegistry;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function buildWorkerApp(config: WorkerAppConfig, deps: WorkerAppDeps = {}): FastifyInstance {
  const app = Fastify({
    logger: config.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs ?? 0,
    keepAliveTimeout: config.keepAliveTimeoutMs ?? 72_000,
    clientErrorHandler,
    // A caller's id is kept when it is sane, so one id follows a bar close through orchestrator and worker.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const ctx: WorkerContext = {
    registry: deps.registry ?? createModelRegistry(),
    limits: { maxBarsPerRequest: config.maxBarsPerRequest },
    metrics: createWorkerMetrics(),
  };

  installErrorHandling(app, {
    bodyLimitBytes: config.bodyLimitBytes,
    bodyLimitHint: 'WORKER_BODY_LIMIT_BYTES; send fewer series or bars per request',
  });
  // Every body the worker reads is JSON; a text/plain body is a client mistake, answered 415 rather than 400.
  app.removeContentTypeParser('text/plain');
  // Predict bodies (up to 500,000 bars) are decoded from their bytes when they have the canonical shape; every
  // other body, and any predict body the decoder is unsure of, goes through Fastify's own JSON parser.
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    const route = request.routeOptions.url;
    if (route === '/v1/predict/batch' || route === '/v1/predict') {
      const kind = route === '/v1/predict' ? 'series' : 'batch';
      const decoded = decodeSeriesJson(bytes, kind, config.maxBarsPerRequest);
      if (decoded) {
        done(null, new DecodedSeriesBody(decoded));
        return;
      }
    }
    void defaultJsonParser(request, bytes.toString('utf8'), done);
  });

  const started = new WeakMap<object, bigint>();
  app.addHook('onRequest', async (request, reply) => {
    started.set(request, process.hrtime.bigint());
    reply.header('x-request-id', request.id);
  });
  installContractsVersion(app);
  app.addHook('onResponse', async (request, reply) => {
    const t0 = started.get(request);
    if (t0 === undefined) return;
    ctx.metrics.requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      Number(process.hrtime.bigint() - t0) / 1e9,
    );
  });

  registerHealthRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerFeatureRoutes(app, ctx);
  registerPredictRoutes(app, ctx);
  app.get('/metrics', async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  return app;
}
