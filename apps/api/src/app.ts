import { randomBytes, randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { CONTRACTS_VERSION } from '@neuronetiq/contracts';
import type { Db } from '@neuronetiq/db';
import { isConnectionError } from '@neuronetiq/db';
import {
  AppError,
  clientErrorHandler,
  installContractsVersion,
  installErrorHandling,
  installJsonBodyParser,
  sendError,
  toAppError,
  withSchemas,
} from '@neuronetiq/service';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { type Access, installAccessControl } from './auth/access';
import { createAuthFailureLimiter } from './auth/auth-failures';
import type { Principal } from './auth/principal';
import { principalId } from './auth/principal';
import { createAuthResolver } from './auth/resolve';
import type { ApiDeps, DeviceFlowOptions } from './deps';
import { lazyChildLogger } from './http/logger';
import { type ApiMetrics, createApiMetrics, VALIDATION_FAILURE_CODES } from './http/metrics';
import { securityHeaders } from './http/security-headers';
import type { PaymentProvider } from './payments/payment-provider';
import { createTestPaymentProvider } from './payments/test-payment-provider';
import { registerRoutes } from './routes';
import { createEventLogTail } from './stream/event-log-tail';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    /** The api's Prometheus metrics, served on their own port (server.ts), never by the public app. */
    apiMetrics: ApiMetrics;
  }
}

export interface BuildAppOptions {
  db: Db;
  serviceRoleKey: string;
  jwtSecret?: string | undefined;
  /** Required `iss` of session tokens; unset: not checked. */
  jwtIssuer?: string | undefined;
  webOrigins?: string[];
  bodyLimitBytes?: number;
  rateLimitPerMinute?: number;
  /** Failed authentications (401s) per client address and minute before it is answered 429 (default 60). */
  authFailuresPerMinute?: number;
  /**
   * Fastify's `trustProxy`: which proxies' X-Forwarded-For to believe for the client address (true, or the proxies'
   * addresses/CIDRs; Fastify refuses hop counts, which cannot tell a proxy from a client). Default false: the socket's
   * address. On Fly: 172.16.0.0/12, where its proxy connects from.
   */
  trustProxy?: boolean | string[];
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
    ...(options.logger ? { childLoggerFactory: lazyChildLogger } : {}),
    bodyLimit,
    requestIdHeader: false,
    trustProxy: options.trustProxy ?? false,
    clientErrorHandler,
    // Errors Fastify meets before routing (a URL that is not valid percent-encoding): the contracts' shape too.
    frameworkErrors: (error, request, reply) => {
      sendError(request, reply, toAppError(error, { bodyLimitBytes: bodyLimit }));
    },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });

  const metrics = createApiMetrics();
  const auth = createAuthResolver(options.db, {
    serviceRoleKey: options.serviceRoleKey,
    jwtSecret: options.jwtSecret,
    jwtIssuer: options.jwtIssuer,
    ...(options.now ? { now: options.now } : {}),
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
  app.decorate('apiMetrics', metrics);
  // A response to a request with credentials is private to its caller: no cache (a browser's, a proxy's) may keep it,
  // whatever the route set.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.headers.authorization) reply.header('cache-control', 'no-store');
    return payload;
  });
  // A JSON API: a text body is a client mistake to name (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  // JSON bodies nested past JSON_DEPTH_MAX are refused on their text, before they are parsed.
  installJsonBodyParser(app);
  // CSV uploads (POST /api/marketdata/import) stream straight into the importer; its own byte cap applies.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  installErrorHandling(app, {
    bodyLimitBytes: bodyLimit,
    bodyLimitHint: 'BODY_LIMIT_BYTES; split it: batches hold at most 1,000 signals',
    mapError: (error) =>
      isConnectionError(error)
        ? new AppError('SERVICE_UNAVAILABLE', {
            message: 'the database is unavailable; retry shortly',
            headers: { 'retry-after': '5' },
            cause: error,
          })
        : undefined,
    onError: (error) => {
      metrics.errors.inc({ code: error.code });
      if (VALIDATION_FAILURE_CODES.has(error.code)) metrics.validationFailures.inc({ code: error.code });
    },
  });

  // The API serves JSON; the docs page needs its own scripts and styles.
  const security = securityHeaders({
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
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(security);
    reply.header('x-request-id', request.id);
    done();
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

  installContractsVersion(app);
  // Failed authentication is limited per client address before anything else is done for the request: no key lookup,
  // no body read. The service key is never throttled.
  const authFailures = createAuthFailureLimiter({
    perMinute: options.authFailuresPerMinute ?? 60,
    now: options.now ?? Date.now,
  });
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.authorization;
    // The service key (compared once, in constant time) needs no lookup: no promise, no second comparison.
    if (auth.isServiceKey(header)) {
      request.principal = { kind: 'service' };
      done();
      return;
    }
    try {
      authFailures.check(request.ip);
    } catch (err) {
      done(err as Error);
      return;
    }
    auth.resolve(header).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) authFailures.fail(request.ip);
  });
  installAccessControl(app);

  await app.register(rateLimit, {
    // Before validation, so that malformed requests count against the limit too.
    hook: 'preValidation',
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

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'NeuronetIQ Trader Infrastructure API',
        version: CONTRACTS_VERSION,
        description:
          "The only public write path of the platform. Authenticate with `Authorization: Bearer <key>`: the service key, a vendor API key (`mp_…`) or a user session token. Send `X-Contracts-Version` to have an incompatible client refused (400 CONTRACT_VERSION_UNSUPPORTED). Every error has the shape of the contracts' ErrorResponse.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // The document is generated from the routes' zod schemas, the same ones requests are validated with; a route open
    // to anyone needs no credentials.
    transform: (route) => {
      const { schema, url } = jsonSchemaTransform(route);
      const isPublic = (route.route.config as { access?: Access } | undefined)?.access?.principal === 'anyone';
      return { schema: isPublic ? { ...schema, security: [] } : schema, url };
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerRoutes(withSchemas(app), deps);
  return app;
}
