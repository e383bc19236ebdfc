// The real api, listening on 127.0.0.1, for other services' tests (cron, orchestrator): the same routes, rules and
// database as production, plus switches that make it fail the way a real deployment does (503s, refused
// connections) and a count of what it accepted per idempotency key, to prove exactly-once delivery.
import type { IncomingMessage } from 'node:http';
import { idempotencyKeyFor, type SignalPayload } from '@neuronetiq/contracts';
import type { Db } from '@neuronetiq/db';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';

export {
  createTestPaymentProvider,
  type TestPaymentProvider,
} from '../payments/test-payment-provider';

export type TestApiMode = 'up' | 'refuse' | 'error503';

export interface TestApiOptions {
  db: Db;
  serviceRoleKey: string;
  /** The api's clock (receive times, lateness, immutability); defaults to Date.now. */
  now?: () => number;
  /** Paths answered 404 as by an api from before them (clients fall back to older routes). */
  withoutRoutes?: readonly string[];
}

export interface StoredBar {
  bar_ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

export interface TestApi {
  url: string;
  app: FastifyInstance;
  /** Accepted writes (2xx, or `stored`/`unchanged` rows of a batch) per idempotency key. */
  deliveries: Map<string, number>;
  /** Every request that reached the api, in order, with its parsed body (once read). */
  requests: { method: string; path: string; body?: unknown }[];
  /** The stored bars of one series, oldest first, as the database holds them. */
  barsOf(symbol: string, timeframe: string): Promise<StoredBar[]>;
  setMode(mode: TestApiMode): void;
  /** Called as each request arrives, before it is answered: may switch the mode (to kill the api mid-cycle). */
  onRequest(hook: ((method: string, path: string) => void) | undefined): void;
  close(): Promise<void>;
}

const STORE_ROUTES = new Set(['/api/signals/store', '/api/consensus/store']);
const BATCH_ROUTES: Record<string, 'signals' | 'consensus'> = {
  '/api/signals/batch': 'signals',
  '/api/consensus/batch': 'consensus',
};

export async function startTestApi(options: TestApiOptions): Promise<TestApi> {
  const app = await buildApp({ db: options.db, serviceRoleKey: options.serviceRoleKey, now: options.now });
  const deliveries = new Map<string, number>();
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const entries = new WeakMap<IncomingMessage, { body?: unknown }>();
  const missing = new Set(options.withoutRoutes ?? []);
  let mode: TestApiMode = 'up';
  let hook: ((method: string, path: string) => void) | undefined;
  const count = (key: string) => deliveries.set(key, (deliveries.get(key) ?? 0) + 1);

  // Logged as the request arrives, before any of the app's hooks (a request that authentication refuses is logged too).
  app.server.prependListener('request', (req: IncomingMessage) => {
    const path = (req.url ?? '/').split('?')[0] ?? '';
    const entry: { method: string; path: string; body?: unknown } = { method: req.method ?? '', path };
    requests.push(entry);
    entries.set(req, entry);
    hook?.(entry.method, path);
  });
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (mode === 'refuse') {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (mode === 'error503') {
      return reply
        .code(503)
        .send({ success: false, error: 'SERVICE_UNAVAILABLE', message: 'down for the test', request_id: request.id });
    }
    if (missing.has(path)) {
      return reply.code(404).send({
        success: false,
        error: 'NOT_FOUND',
        message: `Route ${request.method}:${path} not found`,
        request_id: request.id,
      });
    }
  });
  app.addHook('preValidation', async (request) => {
    const entry = entries.get(request.raw);
    if (entry) entry.body = request.body;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 300 || request.method !== 'POST') return payload;
    const path = request.url.split('?')[0] ?? '';
    if (STORE_ROUTES.has(path)) {
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string') count(key);
      return payload;
    }
    const list = BATCH_ROUTES[path];
    if (list !== undefined && typeof payload === 'string') {
      const rows = (request.body as Record<string, unknown[]>)[list] ?? [];
      const { results } = JSON.parse(payload) as { results: { index: number; status: string }[] };
      for (const r of results) {
        if (r.status === 'stored' || r.status === 'unchanged') count(idempotencyKeyFor(rows[r.index] as SignalPayload));
      }
    }
    return payload;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    deliveries,
    requests,
    async barsOf(symbol, timeframe) {
      const rows = await options.db.query<Omit<StoredBar, 'bar_ts'> & { bar_ts: Date | string }>(
        `SELECT bar_ts, open::float8 AS open, high::float8 AS high, low::float8 AS low, close::float8 AS close,
                volume::float8 AS volume
         FROM market.ohlcv WHERE symbol = $1 AND timeframe = $2 ORDER BY bar_ts`,
        [symbol, timeframe],
      );
      return rows.map((r) => ({ ...r, bar_ts: new Date(r.bar_ts).toISOString() }));
    },
    setMode(m) {
      mode = m;
      if (m === 'refuse') app.server.closeAllConnections();
    },
    onRequest(h) {
      hook = h;
    },
    close: () => app.close(),
  };
}
