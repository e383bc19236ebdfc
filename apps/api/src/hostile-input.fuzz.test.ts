// Property, over every operation of /openapi.json (which openapi-coverage.test.ts proves is every route served, so a
// new endpoint is covered without touching this file): whatever hostile request arrives (arbitrary Unicode with NUL
// and lone surrogates, deep nesting, extreme numbers and dates, in the body, query, path and headers), the answer is
// never a 5xx, a refusal is in the contracts' error shape, and a refused request writes no row (every table of the
// app, ml, market and auth schemas is counted before and after). Each endpoint's count of cases is printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceTokenErrorResponseSchema, ErrorResponseSchema } from '@neuronetiq/contracts';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { encodeAny, headerSafe, hostileString, hostileValue, NASTY_DATES, rawJsonText } from './hostile-values';
import {
  type ApiTestContext,
  createUser,
  createVendor,
  describeEachBackend,
  SERVICE_KEY,
  signal,
  uniqueSlug,
} from './test-helpers';

/** Cases per endpoint (~45 endpoints × this on each database); FUZZ_RUNS raises it for a longer hunt. */
const RUNS_PER_ENDPOINT = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = 20261206;

// --- the endpoints ----------------------------------------------------------------------------------------------

interface Operation {
  method: string;
  path: string;
  params: string[];
  query: string[];
  bodyFields: string[];
  contentType: string | undefined;
}

type OpenApiDoc = {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
};
type OpenApiOperation = {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string; properties?: Record<string, unknown> } }> };
};

function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      const contentType = Object.keys(content)[0];
      let schema = contentType ? content[contentType]?.schema : undefined;
      if (schema?.$ref) schema = doc.components?.schemas?.[schema.$ref.split('/').pop() as string];
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(schema?.properties ?? {}),
        contentType,
      });
    }
  }
  return ops;
}

interface Fixture {
  owner: string;
  modelId: string;
}

/** A body each endpoint would accept (when one is known), so that mutations of one field reach deep checks. */
function validBody(op: Operation, f: Fixture): unknown {
  const s = signal({ owner: f.owner, model_id: f.modelId });
  const c = {
    owner: f.owner,
    symbol: 'EURUSD',
    timeframe: '1m',
    bar_ts: '2026-01-05T12:00:00Z',
    decision: 'BUY',
    confidence: 0.5,
    contributors: [{ model_id: f.modelId, decision: 'BUY', confidence: 0.5, weight: 1 }],
  };
  const b = { symbol: 'FUZZ', timeframe: '1m', bar_ts: '2026-01-05T11:59:00Z', open: 1, high: 1.1, low: 0.9, close: 1 };
  const bodies: Record<string, unknown> = {
    'POST /api/signals/store': s,
    'POST /api/signals/batch': { signals: [s, { ...s, symbol: 'GBPUSD' }] },
    'POST /api/consensus/store': c,
    'POST /api/consensus/batch': { consensus: [c, { ...c, symbol: 'GBPUSD' }] },
    'POST /api/marketdata/ohlcv': { bars: [b, { ...b, bar_ts: '2026-01-05T11:58:00Z' }] },
    'POST /api/marketdata/ohlcv/query': { series: [{ symbol: 'EURUSD', tf: '1m' }], limit: 10 },
    'POST /api/models': { owner: f.owner, model_id: 'fuzz-model', name: 'Fuzz', description: 'd' },
    'PATCH /api/models/{model_id}': { owner: f.owner, name: 'Renamed' },
    'PUT /api/models/{model_id}/price': { price_pence: 500 },
    'POST /api/keys': { owner: f.owner, name: 'fuzz key' },
    'POST /api/auth/identity': { provider: 'github', provider_user_id: '12345', user_name: 'fuzzer' },
    'POST /api/cli/device/code': { client_name: 'mp fuzz' },
    'POST /api/cli/device/token': { device_code: 'x'.repeat(43) },
    'POST /api/cli/device/approve': { user_code: 'ABCD-EFGH', approve: false },
    'POST /api/subscriptions': { owner: f.owner, model_id: f.modelId },
    'POST /api/webhooks': { url: 'https://example.test/hook' },
  };
  return bodies[`${op.method} ${op.path}`];
}

interface HostileRequest {
  kind: string;
  options: InjectOptions;
}

/** Hostile requests for one operation: mutated bodies and raw texts, hostile query strings, paths and headers. */
function hostileRequests(op: Operation, f: Fixture): fc.Arbitrary<HostileRequest> {
  const base = validBody(op, f);
  const pathWith = (values: Record<string, string>) =>
    op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeAny(values[name] ?? f.modelId));
  const okPath = pathWith(Object.fromEntries(op.params.map((p) => [p, p === 'owner' ? f.owner : f.modelId])));
  const fields = [...new Set([...op.bodyFields, ...(isRecord(base) ? Object.keys(base) : []), 'meta', 'owner'])];
  const kinds: fc.Arbitrary<HostileRequest>[] = [];

  if (op.params.length > 0) {
    kinds.push(
      fc.dictionary(fc.constantFrom(...op.params), hostileString, { minKeys: 1 }).map((values) => ({
        kind: 'path',
        options: { url: pathWith(values), ...(base === undefined ? {} : { payload: base as object }) },
      })),
    );
  }
  kinds.push(
    fc
      .dictionary(fc.constantFrom(...op.query, 'from', 'to', 'owner', 'limit', 'x'), hostileString, { minKeys: 1 })
      .map((q) => ({
        kind: 'query',
        options: {
          url: `${okPath}?${Object.entries(q)
            .map(([k, v]) => `${k}=${encodeAny(v)}`)
            .join('&')}`,
          ...(base === undefined ? {} : { payload: base as object }),
        },
      })),
  );
  kinds.push(
    fc
      .record({
        name: fc.constantFrom(
          'idempotency-key',
          'x-contracts-version',
          'last-event-id',
          'x-request-id',
          'stripe-signature',
        ),
        value: hostileString,
      })
      .map(({ name, value }) => ({
        kind: 'header',
        options: {
          url: okPath,
          headers: { [name]: headerSafe(value) },
          ...(base === undefined ? {} : { payload: base as object }),
        },
      })),
  );
  if (op.contentType === 'application/json') {
    kinds.push(
      fc
        .record({
          replace: fc.dictionary(fc.constantFrom(...fields), hostileValue, { minKeys: 1, maxKeys: 3 }),
          meta: fc.option(fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }), { nil: undefined }),
          item: fc.nat(1),
        })
        .map(({ replace, meta, item }) => ({
          kind: 'body',
          options: { url: okPath, payload: mutate(base, replace, meta, item) as object },
        })),
      rawJsonText(base).map((text) => ({
        kind: 'raw',
        options: { url: okPath, payload: text, headers: { 'content-type': 'application/json' } },
      })),
    );
  } else if (op.contentType === 'text/csv') {
    kinds.push(
      fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...NASTY_DATES), hostileString), hostileString), { maxLength: 4 })
        .map((rows) => ({
          kind: 'csv',
          options: {
            url: `${okPath}?symbol=FUZZCSV&tf=1m`,
            payload: `timestamp,open,high,low,close,volume\n${rows.map(([t, v]) => `${t},${v},${v},${v},${v},1`).join('\n')}\n`,
            headers: { 'content-type': 'text/csv' },
          },
        })),
    );
  }
  return fc.oneof(...kinds);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The base body with fields replaced and a hostile meta; in a batch, one item is changed and the others kept. */
function mutate(base: unknown, replace: Record<string, unknown>, meta: unknown, item: number): unknown {
  const apply = (o: Record<string, unknown>) => ({ ...o, ...replace, ...(meta === undefined ? {} : { meta }) });
  if (!isRecord(base)) return apply({});
  const list = Object.entries(base).find(([, v]) => Array.isArray(v) && v.every(isRecord));
  if (list && !(list[0] in replace)) {
    const [field, items] = list as [string, Record<string, unknown>[]];
    const i = item % items.length;
    return { ...base, [field]: items.map((x, j) => (j === i ? apply(x) : x)) };
  }
  return apply(base);
}

// --- the property ---------------------------------------------------------------------------------------------

/** One statement counting the rows of every table the api can write (app, ml, market, auth), as one number each. */
async function tableCounter(ctx: ApiTestContext): Promise<() => Promise<string>> {
  const tables = await ctx.database.db.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema IN ('app', 'ml', 'market', 'auth') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  // The event log and the request log grow with accepted work only; idempotency records are written only on success.
  const sql = `SELECT ${tables.map((t, i) => `(SELECT count(*) FROM ${t.name}) AS c${i}`).join(', ')}`;
  return async () => {
    const [row] = await ctx.database.db.query<Record<string, number>>(sql);
    return tables.map((t, i) => `${t.name}=${row?.[`c${i}`]}`).join(' ');
  };
}

describeEachBackend(
  'hostile requests to every endpoint (fast-check)',
  (ctx) => {
    test('no hostile request gets a 5xx, every refusal is in the error shape, and a refused one writes no row', async (t) => {
      const doc = (await ctx().inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDoc;
      // GET /api/stream answers a valid request with an endless event stream, which inject cannot end:
      // stream/stream-hostile.fuzz.test.ts opens it on a real loopback server.
      const ops = operationsOf(doc).filter((op) => op.path !== '/api/stream');
      assert.ok(ops.length >= 30, `the document lists the routes (${ops.length})`);
      const vendor = await createVendor(ctx());
      const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('fuzz') });
      const fixture: Fixture = { owner: vendor.owner, modelId: vendor.modelId };
      const principals: Record<string, Record<string, string>> = {
        service: { authorization: `Bearer ${SERVICE_KEY}` },
        vendor: vendor.auth,
        user: user.auth,
        anonymous: {},
      };
      const counts = await tableCounter(ctx());
      const send = (op: Operation, options: InjectOptions): Promise<LightMyRequestResponse> =>
        ctx().inject({ method: op.method as 'GET', ...options });

      const summary: string[] = [];
      let total = 0;
      let fiveHundreds = 0;
      for (const op of ops) {
        // The principal that gets past authentication on this route: cases then reach validation and the database.
        let principal = 'anonymous';
        for (const name of ['service', 'user', 'vendor', 'anonymous']) {
          const body = validBody(op, fixture);
          const res = await send(op, {
            url: op.path.replace(/\{(\w+)\}/g, () => fixture.modelId),
            headers: principals[name],
            ...(body === undefined ? {} : { payload: body as object }),
          });
          if (res.statusCode !== 401 && res.statusCode !== 403) {
            principal = name;
            break;
          }
        }
        let cases = 0;
        const statuses = new Map<number, number>();
        // Rows as they stand; taken again after a request that was accepted (which may write).
        let rows = await counts();
        await fc.assert(
          fc.asyncProperty(hostileRequests(op, fixture), async ({ kind, options }) => {
            cases += 1;
            const res = await send(op, { ...options, headers: { ...principals[principal], ...options.headers } });
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            const what = `${op.method} ${op.path} as ${principal} (${kind}): ${String(options.url).slice(0, 200)} ${JSON.stringify(options.payload)?.slice(0, 300)}`;
            if (res.statusCode >= 500) fiveHundreds += 1;
            assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body}`);
            if (res.statusCode >= 400) {
              // The device flow's token endpoint answers RFC 8628's error body, as documented.
              const shape =
                op.path === '/api/cli/device/token'
                  ? ErrorResponseSchema.or(DeviceTokenErrorResponseSchema)
                  : ErrorResponseSchema;
              const body = shape.safeParse(res.json());
              assert.ok(body.success, `${what} → ${res.statusCode} not in the error shape: ${res.body}`);
              assert.equal(await counts(), rows, `${what} → ${res.statusCode}, yet rows were written`);
            } else rows = await counts();
          }),
          { numRuns: RUNS_PER_ENDPOINT, seed: SEED, endOnFailure: true },
        );
        total += cases;
        const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
        summary.push(`${op.method} ${op.path} (${principal}): ${cases} cases [${byStatus.join(' ')}]`);
      }
      t.diagnostic(
        `hostile cases [${ctx().backend}]: ${total} over ${ops.length} endpoints, ${fiveHundreds} with a 5xx`,
      );
      for (const line of summary) t.diagnostic(line);
      assert.equal(fiveHundreds, 0);
    });
  },
  { rateLimitPerMinute: 1_000_000 },
);
