import {
  ApiKeySchema,
  BatchWriteResponseSchema,
  CONTRACTS_VERSION,
  ConsensusPayloadSchema,
  ConsensusQuerySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
  dataResponse,
  ErrorResponseSchema,
  IdentityUpsertResultSchema,
  IdentityUpsertSchema,
  IMPORT_FORMATS,
  ImportCsvResponseSchema,
  MarketplaceModelDetailSchema,
  MarketplaceModelQuerySchema,
  MarketplaceModelsQuerySchema,
  MarketplaceModelsResponseSchema,
  MarketplaceVendorSchema,
  MeSchema,
  ModelSchema,
  OhlcvBarSchema,
  OhlcvMultiQuerySchema,
  OhlcvQuerySchema,
  OhlcvSeriesResponseSchema,
  OhlcvUpsertResponseSchema,
  OUTBOX_STATUSES,
  OutboxListingSchema,
  RegisterModelSchema,
  SignalPayloadSchema,
  SignalsQuerySchema,
  StoredBarSchema,
  StoredConsensusSchema,
  StoredSignalSchema,
  StreamEventSchema,
  StreamQuerySchema,
  TIMEFRAMES,
  UpdateModelSchema,
} from '@neuronetiq/contracts';
import { z } from 'zod';
import { cliDeviceOpenApiPaths } from './cli-device/routes';

// OpenAPI 3.1 uses JSON Schema 2020-12, which is what zod emits: the document is generated from the same schemas the
// handlers validate with, so it cannot drift from them.
const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

function queryParameters(s: z.ZodObject) {
  const json = schema(s) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => ({
    name,
    in: 'query',
    required: (json.required ?? []).includes(name) && !(prop as { default?: unknown }).default,
    schema: prop,
  }));
}

/** A success body generated from its contracts schema (what the server sends: the output side). */
const ok = (description: string, s: z.ZodType) => ({
  description,
  content: {
    'application/json': {
      schema: z.toJSONSchema(s, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' }),
    },
  },
});

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const errors = {
  '400': errorResponse('VALIDATION_ERROR or CONTRACT_VERSION_UNSUPPORTED; `details` names each field'),
  '401': errorResponse('UNAUTHENTICATED: no or invalid credentials'),
  '403': errorResponse('FORBIDDEN: not allowed for this principal'),
  '429': errorResponse('RATE_LIMITED: see Retry-After'),
  '500': errorResponse('INTERNAL_ERROR (never carries internals; quote request_id)'),
};
const json = (ref: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const headers = [
  {
    name: 'X-Contracts-Version',
    in: 'header',
    required: false,
    schema: { type: 'string', example: CONTRACTS_VERSION },
  },
];
const idempotency = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Same key + same body replays the first response; another body → 422; in flight → 409.',
  schema: { type: 'string', maxLength: 255 },
};

export function buildOpenApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'NeuronetIQ Trader Infrastructure API',
      version: CONTRACTS_VERSION,
      description:
        'The only public write path of the platform. Authenticate with `Authorization: Bearer <key>`: the service key, a vendor API key (`mp_…`) or a user session token. Every error has the shape of the Error schema.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        SignalPayload: schema(SignalPayloadSchema),
        ConsensusPayload: schema(ConsensusPayloadSchema),
        OhlcvBar: schema(OhlcvBarSchema),
        RegisterModel: schema(RegisterModelSchema),
        CreateApiKey: schema(CreateApiKeySchema),
        IdentityUpsert: schema(IdentityUpsertSchema),
        UpdateModel: schema(UpdateModelSchema),
        StreamEvent: schema(StreamEventSchema),
        Error: schema(ErrorResponseSchema),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      ...cliDeviceOpenApiPaths,
      '/api/marketdata/ohlcv': {
        get: {
          summary: 'Bars of one series, newest first',
          parameters: [...queryParameters(OhlcvQuerySchema), ...headers],
          responses: { '200': ok('bars, newest first', dataResponse(z.array(StoredBarSchema))), ...errors },
        },
        post: {
          summary: 'Bulk upsert of bars (service key); bad rows reported by index, good rows stored',
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { bars: { type: 'array', items: { $ref: '#/components/schemas/OhlcvBar' } } },
                },
              },
            },
          },
          responses: {
            '200': ok('good bars stored, bad ones reported by index', OhlcvUpsertResponseSchema),
            ...errors,
          },
        },
      },
      '/api/marketdata/import': {
        post: {
          summary:
            'Import a CSV of bars (service key): HistData, Binance, Yahoo, CryptoDataDownload or a generic headed CSV',
          description:
            'The body is the file (Content-Type: text/csv), streamed into the same importer as `npm run import`. Good rows are stored, every bad row is reported with its line number and reason, and the report says which clock was assumed.',
          parameters: [
            { name: 'symbol', in: 'query', required: true, schema: { type: 'string', example: 'EURUSD' } },
            { name: 'tf', in: 'query', required: true, schema: { enum: [...TIMEFRAMES] } },
            {
              name: 'format',
              in: 'query',
              required: false,
              schema: { enum: [...IMPORT_FORMATS] },
            },
            {
              name: 'tz',
              in: 'query',
              required: false,
              schema: { type: 'string', example: 'America/New_York', default: 'UTC' },
            },
          ],
          requestBody: { content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: {
            '200': ok(
              'the import report; `success` is false when a row was rejected (the good rows are stored)',
              ImportCsvResponseSchema,
            ),
            '413': errorResponse('PAYLOAD_TOO_LARGE'),
            ...errors,
          },
        },
      },
      '/api/marketdata/ohlcv/query': {
        post: {
          summary: "Many series' newest bars in one request (at most 1,000 series)",
          requestBody: { content: { 'application/json': { schema: schema(OhlcvMultiQuerySchema) } } },
          responses: {
            '200': ok('one entry per series asked, in order; bars newest first', OhlcvSeriesResponseSchema),
            ...errors,
          },
        },
      },
      '/api/signals/store': {
        post: {
          summary: 'Store one signal (204)',
          parameters: [...headers, idempotency],
          requestBody: json('SignalPayload'),
          responses: {
            '204': { description: 'stored, or identical to what is stored' },
            '409': errorResponse('SIGNAL_IMMUTABLE or IDEMPOTENCY_KEY_IN_FLIGHT'),
            '422': errorResponse('IDEMPOTENCY_KEY_REUSED'),
            ...errors,
          },
        },
      },
      '/api/signals/batch': {
        post: {
          summary: 'Store up to 1,000 signals in one statement; one result per item',
          parameters: [...headers, idempotency],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    signals: { type: 'array', maxItems: 1000, items: { $ref: '#/components/schemas/SignalPayload' } },
                  },
                },
              },
            },
          },
          responses: { '200': ok('one result per item, in order', BatchWriteResponseSchema), ...errors },
        },
      },
      '/api/signals': {
        get: {
          summary: "The caller's own signals, newest bar first",
          parameters: [...queryParameters(SignalsQuerySchema), ...headers],
          responses: { '200': ok('signals, newest bar first', dataResponse(z.array(StoredSignalSchema))), ...errors },
        },
      },
      '/api/consensus/store': {
        post: {
          summary: 'Store one consensus (204)',
          parameters: [...headers, idempotency],
          requestBody: json('ConsensusPayload'),
          responses: { '204': { description: 'stored' }, ...errors },
        },
      },
      '/api/consensus/batch': {
        post: {
          summary: 'Store up to 1,000 consensus rows in one statement; one result per item',
          parameters: [...headers, idempotency],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    consensus: {
                      type: 'array',
                      maxItems: 1000,
                      items: { $ref: '#/components/schemas/ConsensusPayload' },
                    },
                  },
                },
              },
            },
          },
          responses: { '200': ok('one result per item, in order', BatchWriteResponseSchema), ...errors },
        },
      },
      '/api/consensus': {
        get: {
          summary: "The caller's own consensus rows",
          parameters: [...queryParameters(ConsensusQuerySchema), ...headers],
          responses: {
            '200': ok('consensus rows, newest bar first', dataResponse(z.array(StoredConsensusSchema))),
            ...errors,
          },
        },
      },
      '/api/models': {
        get: {
          summary: 'Public models and your own',
          responses: { '200': ok('models', dataResponse(z.array(ModelSchema))), ...errors },
        },
        post: {
          summary: 'Register a model for your owner',
          requestBody: json('RegisterModel'),
          responses: {
            '201': ok('registered', dataResponse(ModelSchema)),
            '409': errorResponse('CONFLICT: already registered'),
            ...errors,
          },
        },
      },
      '/api/performance': {
        get: {
          summary:
            'Track records: hit rate, mean and confidence-weighted return and Brier score of each model on each series at one horizon, over its newest scored live signals',
          description:
            'A signal is entered at the close of the first bar that closes at or after its last change (received_at), whatever its bar_ts, and exited horizon bars later (1, 5 or 20): a hit when the price moved the called way. Late signals are never scored. Public models are visible to anyone, private ones to their owner.',
          responses: { '200': { description: 'track records' }, ...errors },
        },
      },
      '/api/me': {
        get: { summary: 'Who you are', responses: { '200': ok('the principal', dataResponse(MeSchema)), ...errors } },
      },
      '/api/keys': {
        get: {
          summary: 'Your API keys (never their secrets)',
          responses: { '200': ok('keys', dataResponse(z.array(ApiKeySchema))), ...errors },
        },
        post: {
          summary: 'Create an API key; the key is returned once',
          requestBody: json('CreateApiKey'),
          responses: { '201': ok('created; `key` is shown this once', dataResponse(CreatedApiKeySchema)), ...errors },
        },
      },
      '/api/keys/{id}': {
        delete: {
          summary: 'Revoke a key',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '200': ok('revoked', dataResponse(ApiKeySchema)), '404': errorResponse('NOT_FOUND'), ...errors },
        },
      },
      '/api/admin/outbox': {
        get: {
          summary: 'Outbox counts and items, dead letters with their last error (service key)',
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { enum: [...OUTBOX_STATUSES] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ],
          responses: {
            '200': ok('counts by status and the oldest items', dataResponse(OutboxListingSchema)),
            ...errors,
          },
        },
      },
      '/api/auth/identity': {
        post: {
          summary: 'Record a verified sign-in identity and get its user and owner (service key; the web server)',
          description:
            'Upserts auth.users and auth.identities keyed on (provider, provider_user_id): a renamed GitHub login keeps its user and owner. The owner is assigned once, on the server: GitHub login lower-cased; Google e-mail local part + `_google`; taken names get `_2`, `_3`, … The web server then mints HS256 session tokens (SUPABASE_JWT_SECRET) with `sub` = user_id.',
          requestBody: json('IdentityUpsert'),
          responses: { '200': ok('the user and owner', IdentityUpsertResultSchema), ...errors },
        },
      },
      '/api/marketplace/models': {
        get: {
          summary: 'Public models with vendor attribution, series, signal counts and track records (anyone)',
          security: [],
          parameters: queryParameters(MarketplaceModelsQuerySchema),
          responses: {
            '200': ok('one page of public models and the total', MarketplaceModelsResponseSchema),
            ...errors,
          },
        },
      },
      '/api/marketplace/models/{owner}/{model}': {
        get: {
          summary: 'One model: vendor, series, track record per series (live and backfilled apart), newest signals',
          description: 'Public models for anyone; a private model only for its owner (404 for everyone else).',
          security: [],
          parameters: [
            { name: 'owner', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'model', in: 'path', required: true, schema: { type: 'string' } },
            ...queryParameters(MarketplaceModelQuerySchema),
          ],
          responses: {
            '200': ok('the model', dataResponse(MarketplaceModelDetailSchema)),
            '404': errorResponse('NOT_FOUND'),
            ...errors,
          },
        },
      },
      '/api/marketplace/vendors/{owner}': {
        get: {
          summary: 'A vendor (GitHub attribution) and their public models (anyone)',
          security: [],
          parameters: [{ name: 'owner', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': ok('the vendor', dataResponse(MarketplaceVendorSchema)),
            '404': errorResponse('NOT_FOUND'),
            ...errors,
          },
        },
      },
      '/api/models/{model_id}': {
        patch: {
          summary: "Edit your model's name, description or visibility",
          parameters: [{ name: 'model_id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json('UpdateModel'),
          responses: {
            '200': ok('the model as stored', dataResponse(ModelSchema)),
            '404': errorResponse('NOT_FOUND: no such model of yours'),
            ...errors,
          },
        },
      },
      '/api/stream': {
        get: {
          summary: 'Live signals, consensus and bars as server-sent events (what you may read; anyone)',
          description:
            "text/event-stream. Each event: `id:` (the event log id), `event:` signal | consensus | bar, `data:` a StreamEvent. Resume with the `Last-Event-ID` header (or `?last_event_id=`): nothing stored after that id is missed while the log keeps it (EVENT_LOG_RETENTION_MS on the cron). Heartbeat comments keep idle connections open. Browsers: EventSource cannot send Authorization, so the web app proxies the stream through its own server route, adding the bearer token; anonymous callers get public models' signals and bars.",
          security: [],
          parameters: [
            ...queryParameters(StreamQuerySchema),
            { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } },
          ],
          responses: {
            '200': {
              description: 'the event stream',
              content: { 'text/event-stream': { schema: { $ref: '#/components/schemas/StreamEvent' } } },
            },
            ...errors,
          },
        },
      },
      '/health': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'ok' } } } },
      '/health/ready': {
        get: {
          summary: 'Database reachable and migrations current',
          security: [],
          responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text' } } },
      },
    },
  };
}
