import { randomBytes, randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ErrorCode, ErrorDetail } from '@neuronetiq/contracts';
import { CONTRACTS_VERSION, isCompatibleVersion, SUPPORTED_CONTRACTS_RANGE } from '@neuronetiq/contracts';
import type { Db } from '@neuronetiq/db';
import { isConnectionError } from '@neuronetiq/db';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Principal } from './auth/principal';
import { principalId } from './auth/principal';
import { createAuthResolver } from './auth/resolve';
import type { ApiDeps, DeviceFlowOptions } from './deps';
import { AppError } from './errors';
import { createApiMetrics, VALIDATION_FAILURE_CODES } from './http/metrics';
import { buildOpenApiDocument } from './openapi';
import type { PaymentProvider } from './payments/payment-provider';
import { createTestPaymentProvider } from './payments/test-payment-provider';
import { registerRoutes } from './routes';
import { createEventLogTail } from './stream/event-log-tail';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface BuildAppOptions {
  db: Db;
  serviceRoleKey: string;
  jwtSecret?: string | undefined;
  webOrigins?: string[];
  bodyLimitBytes?: number;
  rateLimitPerMinute?: number;
  /** A pino logger config or `false`; tests pass false. */
  logger?: FastifyServerOptions['logger'];
  /** The server's clock (receive times, lateness); tests pin it. */
  now?: () => number;
  keyCacheMs?: number;
  /** Largest CSV accepted by POST /api/marketdata/import (default 256 MiB). */
  importMaxBytes?: number;
  /**
   * GET /api/stream. `databaseUrl`: LISTEN there for the event log's notifications (PostgreSQL; the embedded database
   * is detected and polled). Without it the log is polled every `pollMs` (default 200).
   */
  stream?: { databaseUrl?: string | undefined; pollMs?: number; heartbeatMs?: number };
  /** `mp login`: defaults to `<first web origin>/cli/authorize`, a 5 s poll interval and 15-minute codes. */
  deviceFlow?: Partial<DeviceFlowOptions>;
  /** Subscriptions' payment provider; default: the test provider (no card processing), signing with this secret. */
  payments?: PaymentProvider;
  paymentWebhookSecret?: string | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Builds the api as a Fastify instance without listening (server.ts listens; tests use inject() or listen(0)). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });

  const metrics = createApiMetrics();
  const auth = createAuthResolver(options.db, {
    serviceRoleKey: options.serviceRoleKey,
    jwtSecret: options.jwtSecret,
    ...(options.keyCacheMs !== undefined ? { keyCacheMs: options.keyCacheMs } : {}),
  });
  const tail = createEventLogTail(options.db, {
    databaseUrl: options.stream?.databaseUrl,
    ...(options.stream?.pollMs ? { pollMs: options.stream.pollMs } : {}),
    onError: (err) => app.log.warn({ err: err.message }, 'event log tail: read failed; retrying'),
  });
  app.addHook('onClose', async () => tail.close());
  const deps: ApiDeps = {
    db: options.db,
    metrics,
    auth,
    now: options.now ?? Date.now,
    importMaxBytes: options.importMaxBytes ?? 256 * 1024 * 1024,
    payments:
      options.payments ??
      createTestPaymentProvider({ webhookSecret: options.paymentWebhookSecret ?? randomBytes(32).toString('hex') }),
    stream: { tail, heartbeatMs: options.stream?.heartbeatMs ?? 15_000 },
    deviceFlow: {
      verificationUri: `${(options.webOrigins?.[0] ?? 'http://localhost:3000').replace(/\/+$/, '')}/cli/authorize`,
      intervalS: 5,
      expiresInS: 900,
      ...options.deviceFlow,
    },
  };

  app.decorateRequest('principal', null as never);
  // A JSON API: a text body is a client mistake to name (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  // CSV uploads (POST /api/marketdata/import) stream straight into the importer; its own byte cap applies.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.setErrorHandler((error, request, reply) => {
    const err = toAppError(error, bodyLimit);
    if (err.status >= 500) request.log.error({ err: error }, 'request failed');
    metrics.errors.inc({ code: err.code });
    if (VALIDATION_FAILURE_CODES.has(err.code)) metrics.validationFailures.inc({ code: err.code });
    if (err.headers) reply.headers(err.headers);
    const body: { success: false; error: ErrorCode; message: string; details?: ErrorDetail[]; request_id: string } = {
      success: false,
      error: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
      request_id: String(request.id),
    };
    return reply.code(err.status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    metrics.errors.inc({ code: 'NOT_FOUND' });
    return reply.code(404).send({
      success: false,
      error: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}; see /docs`,
      request_id: String(request.id),
    });
  });

  await app.register(helmet, {
    // The API serves JSON; the docs page needs its own scripts and styles.
    contentSecurityPolicy: {
      // No upgrade-insecure-requests: locally the api is plain http, and TLS is the proxy's job in production.
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(cors, {
    origin: options.webOrigins ?? ['http://localhost:3000'],
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Idempotency-Key',
      'Last-Event-ID',
      'X-Contracts-Version',
      'X-Request-Id',
    ],
    exposedHeaders: ['X-Request-Id', 'X-Contracts-Version', 'Retry-After', 'Idempotent-Replayed'],
    maxAge: 600,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-contracts-version', CONTRACTS_VERSION);
    const version = request.headers['x-contracts-version'];
    if (version !== undefined && (Array.isArray(version) || !isCompatibleVersion(version))) {
      throw new AppError('CONTRACT_VERSION_UNSUPPORTED', {
        message: `X-Contracts-Version "${String(version)}" is not supported; this server speaks ${SUPPORTED_CONTRACTS_RANGE} (current ${CONTRACTS_VERSION}); upgrade @neuronetiq/contracts`,
        details: [{ path: 'headers.x-contracts-version', message: `must be ${SUPPORTED_CONTRACTS_RANGE}` }],
      });
    }
    request.principal = await auth.resolve(request.headers.authorization);
  });

  await app.register(rateLimit, {
    hook: 'preHandler',
    max: options.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    keyGenerator: (request) =>
      request.principal?.kind === 'anonymous' ? `ip:${request.ip}` : principalId(request.principal),
    allowList: (request) => request.principal?.kind === 'service',
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', {
        message: `rate limit of ${context.max} requests per minute exceeded; retry after ${Math.ceil(context.ttl / 1000)} s`,
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });

  const document = buildOpenApiDocument();
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => document);

  registerRoutes(app, deps);
  return app;
}

/** Maps anything thrown to the contract's error; only AppErrors and Fastify's client errors keep their message. */
function toAppError(error: unknown, bodyLimit: number): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', {
        message: `request body exceeds ${bodyLimit} bytes; split it (batches: at most 1,000 signals)`,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { message: 'send the body as Content-Type: application/json' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('VALIDATION_ERROR', {
        message: 'request body is empty; send a JSON object',
        details: [{ path: '', message: 'is required' }],
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_ERROR', {
        message: `request body is not valid JSON (${e.message ?? ''})`,
        details: [{ path: '', message: 'must be valid JSON' }],
      });
  }
  if (error instanceof SyntaxError && e.statusCode === 400) {
    return new AppError('VALIDATION_ERROR', {
      message: 'request body is not valid JSON',
      details: [{ path: '', message: 'must be valid JSON' }],
    });
  }
  if (isConnectionError(error)) {
    return new AppError('SERVICE_UNAVAILABLE', {
      message: 'the database is unavailable; retry shortly',
      headers: { 'retry-after': '5' },
      cause: error,
    });
  }
  if (e.statusCode === 404) return new AppError('NOT_FOUND', { message: e.message ?? 'not found' });
  if (e.statusCode === 405) return new AppError('METHOD_NOT_ALLOWED', { message: e.message ?? 'method not allowed' });
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('VALIDATION_ERROR', { message: e.message ?? 'bad request' });
  }
  return new AppError('INTERNAL_ERROR', {
    message: 'internal error; quote the request_id when reporting it',
    cause: error,
  });
}
