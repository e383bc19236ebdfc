// Stand-ins for the api and the worker in tests of the orchestrator and the cron: real HTTP servers on 127.0.0.1
// with the wire contract of the real ones (status codes, bodies, idempotency and immutability rules), data in
// memory, and switches to make them fail. They are doubles of services, never of the database.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type ConsensusPayload,
  ConsensusPayloadSchema,
  type Decision,
  idempotencyKeyFor,
  type SignalPayload,
  SignalPayloadSchema,
  TIMEFRAME_MS,
  type Timeframe,
  type TrackRecord,
  type WorkerBarInput,
} from '@neuronetiq/contracts';

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
): Promise<Listening & { server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      Promise.resolve(handler(req, res, body)).catch((err: Error) => {
        if (!res.headersSent) send(res, 500, { success: false, error: 'INTERNAL_ERROR', message: err.message });
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    sockets,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const error = (code: string, message: string) => ({ success: false, error: code, message, request_id: 'fake' });

export type FakeApiMode = 'up' | 'refuse' | 'error503';

export interface FakeApiOptions {
  serviceRoleKey: string;
  /** The api's clock, for late flags and immutability (defaults to Date.now). */
  now?: () => number;
  /** Answers 404 to the many-series bars query and the consensus batch, as an api from before them did. */
  withoutBatchRoutes?: boolean;
}

/**
 * The Infrastructure API's write and read paths that the orchestrator and cron use. Signals and consensus are
 * immutable after their bar closes (409 SIGNAL_IMMUTABLE if different, 204 if identical); an Idempotency-Key replays.
 */
export async function startFakeApi(options: FakeApiOptions) {
  const now = options.now ?? Date.now;
  const bars = new Map<string, (WorkerBarInput & { ms: number })[]>();
  const signals = new Map<string, SignalPayload & { late: boolean }>();
  const consensus = new Map<string, ConsensusPayload & { late: boolean }>();
  /** Successful POSTs per idempotency key (store endpoints) — to prove exactly-once delivery. */
  const deliveries = new Map<string, number>();
  /** Registered models, `owner/model_id` (POST /api/models). */
  const models = new Set<string>();
  const requests: { method: string; path: string; body: string }[] = [];
  /** What GET /api/performance answers (filtered by owner); tests fill it. */
  const trackRecords: TrackRecord[] = [];
  let mode: FakeApiMode = 'up';
  /** Called before each request is answered; may switch the mode (to kill the api mid-cycle). */
  let beforeRequest: ((method: string, path: string) => void) | undefined;

  const closes = (p: { bar_ts: string; timeframe: Timeframe }) => Date.parse(p.bar_ts) + TIMEFRAME_MS[p.timeframe];
  const seriesKey = (symbol: string, tf: string) => `${symbol}/${tf}`;

  function storeSignal(input: unknown): { status: 'stored' | 'unchanged' | 'rejected'; error?: string } {
    const parsed = SignalPayloadSchema.safeParse(input);
    if (!parsed.success) return { status: 'rejected', error: 'VALIDATION_ERROR' };
    const p = parsed.data;
    const k = `${p.owner}/${p.model_id}/${p.symbol}/${p.timeframe}/${p.bar_ts}`;
    const late = now() >= closes(p);
    const existing = signals.get(k);
    if (existing) {
      const same =
        existing.decision === p.decision &&
        existing.confidence === p.confidence &&
        JSON.stringify(existing.meta) === JSON.stringify(p.meta);
      if (same) return { status: 'unchanged' };
      if (late) return { status: 'rejected', error: 'SIGNAL_IMMUTABLE' };
    }
    signals.set(k, { ...p, late });
    return { status: 'stored' };
  }

  function storeConsensus(input: unknown): { status: 'stored' | 'unchanged' | 'rejected'; error?: string } {
    const parsed = ConsensusPayloadSchema.safeParse(input);
    if (!parsed.success) return { status: 'rejected', error: 'VALIDATION_ERROR' };
    const p = parsed.data;
    const k = `${p.owner}/${p.symbol}/${p.timeframe}/${p.bar_ts}`;
    const late = now() >= closes(p);
    const existing = consensus.get(k);
    if (existing) {
      if (JSON.stringify({ ...existing, late: undefined }) === JSON.stringify({ ...p, late: undefined })) {
        return { status: 'unchanged' };
      }
      if (late) return { status: 'rejected', error: 'SIGNAL_IMMUTABLE' };
    }
    consensus.set(k, { ...p, late });
    return { status: 'stored' };
  }

  const replays = new Map<string, { bodyHash: string; status: number }>();

  const http = await listen((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname, body });
    beforeRequest?.(req.method ?? '', url.pathname);
    if (mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (mode === 'error503') return send(res, 503, error('SERVICE_UNAVAILABLE', 'down for the test'));
    if (req.headers.authorization !== `Bearer ${options.serviceRoleKey}`) {
      return send(res, 401, error('UNAUTHENTICATED', 'missing or wrong service key'));
    }
    if (req.method === 'GET' && url.pathname === '/api/marketdata/ohlcv') {
      const symbol = url.searchParams.get('symbol') ?? '';
      const tf = url.searchParams.get('tf') ?? '';
      const data = newest(symbol, tf, Number(url.searchParams.get('limit') ?? 100), url.searchParams.get('to'));
      return send(res, 200, { success: true, data });
    }
    if (req.method === 'GET' && url.pathname === '/api/performance') {
      const owner = url.searchParams.get('owner');
      return send(res, 200, { success: true, data: trackRecords.filter((r) => !owner || r.owner === owner) });
    }
    if (req.method !== 'POST') return send(res, 404, error('NOT_FOUND', `${req.method} ${url.pathname}`));
    if (
      options.withoutBatchRoutes &&
      (url.pathname === '/api/marketdata/ohlcv/query' || url.pathname === '/api/consensus/batch')
    ) {
      return send(res, 404, error('NOT_FOUND', `${req.method} ${url.pathname}`));
    }
    const json = JSON.parse(body || 'null') as Record<string, unknown>;
    if (url.pathname === '/api/models') {
      const id = `${String(json.owner)}/${String(json.model_id)}`;
      if (models.has(id)) return send(res, 409, error('CONFLICT', `model ${id} is already registered`));
      models.add(id);
      return send(res, 201, { success: true, data: json });
    }
    if (url.pathname === '/api/marketdata/ohlcv/query') {
      const q = json as { series: { symbol: string; tf: string }[]; limit?: number; to?: string };
      const data = q.series.map((s) => ({ ...s, bars: newest(s.symbol, s.tf, q.limit ?? 100, q.to ?? null) }));
      return send(res, 200, { success: true, data });
    }
    if (url.pathname === '/api/marketdata/ohlcv') {
      const list = (json.bars as (WorkerBarInput & { symbol: string; timeframe: string })[]) ?? [];
      for (const b of list) addBars(b.symbol, b.timeframe as Timeframe, [b]);
      return send(res, 200, {
        success: true,
        received: list.length,
        accepted: list.length,
        written: list.length,
        rejected: [],
      });
    }
    if (url.pathname === '/api/signals/batch') {
      const list = (json.signals as unknown[]) ?? [];
      const results = list.map((s, index) => {
        const r = storeSignal(s);
        if (r.status !== 'rejected') {
          const k = idempotencyKeyFor(s as SignalPayload);
          deliveries.set(k, (deliveries.get(k) ?? 0) + 1);
        }
        return { index, ...r };
      });
      return send(res, 200, { success: true, results });
    }
    if (url.pathname === '/api/consensus/batch') {
      const list = (json.consensus as unknown[]) ?? [];
      const results = list.map((c, index) => {
        const r = storeConsensus(c);
        if (r.status !== 'rejected') {
          const k = idempotencyKeyFor(c as ConsensusPayload);
          deliveries.set(k, (deliveries.get(k) ?? 0) + 1);
        }
        return { index, ...r };
      });
      return send(res, 200, { success: true, results });
    }
    if (url.pathname === '/api/signals/store' || url.pathname === '/api/consensus/store') {
      const key = String(req.headers['idempotency-key'] ?? '');
      const prior = key ? replays.get(`${url.pathname}|${key}`) : undefined;
      if (prior) {
        if (prior.bodyHash !== body) return send(res, 422, error('IDEMPOTENCY_KEY_REUSED', 'key reused'));
        return send(res, prior.status);
      }
      const r = url.pathname === '/api/signals/store' ? storeSignal(json) : storeConsensus(json);
      if (r.status === 'rejected') {
        return r.error === 'SIGNAL_IMMUTABLE'
          ? send(res, 409, error('SIGNAL_IMMUTABLE', 'bar closed'))
          : send(res, 400, { ...error('VALIDATION_ERROR', 'invalid'), details: [] });
      }
      if (key) {
        replays.set(`${url.pathname}|${key}`, { bodyHash: body, status: 204 });
        deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
      }
      return send(res, 204);
    }
    return send(res, 404, error('NOT_FOUND', url.pathname));
  });

  /** The newest `limit` bars at or before `to`, newest first (the api's order). */
  function newest(symbol: string, tf: string, limit: number, to: string | null) {
    const toMs = to ? Date.parse(to) : Number.POSITIVE_INFINITY;
    return (bars.get(seriesKey(symbol, tf)) ?? [])
      .filter((b) => b.ms <= toMs)
      .slice(-limit)
      .reverse()
      .map(({ ms: _ms, ...b }) => ({ symbol, timeframe: tf, ...b }));
  }

  function addBars(symbol: string, timeframe: Timeframe, list: readonly WorkerBarInput[]): void {
    const k = seriesKey(symbol, timeframe);
    const byMs = new Map((bars.get(k) ?? []).map((b) => [b.ms, b]));
    for (const b of list) {
      const ms = Date.parse(b.bar_ts);
      byMs.set(ms, { ...b, bar_ts: new Date(ms).toISOString(), ms });
    }
    bars.set(
      k,
      [...byMs.values()].sort((a, b) => a.ms - b.ms),
    );
  }

  return {
    url: http.url,
    close: http.close,
    addBars,
    /** The stored bars of one series, oldest first. */
    barsOf(symbol: string, timeframe: Timeframe): WorkerBarInput[] {
      return (bars.get(seriesKey(symbol, timeframe)) ?? []).map(({ ms: _ms, ...b }) => b);
    },
    signals,
    consensus,
    models,
    deliveries,
    requests,
    trackRecords,
    setMode(m: FakeApiMode) {
      mode = m;
      if (m === 'refuse') for (const s of http.sockets) s.destroy();
    },
    onRequest(f: ((method: string, path: string) => void) | undefined) {
      beforeRequest = f;
    },
  };
}
export type FakeApi = Awaited<ReturnType<typeof startFakeApi>>;

/** The rules of the fake worker's three models: simple, deterministic functions of the closes. */
export const FAKE_MODELS = [
  { id: 'fake-trend', required_bars: 3 },
  { id: 'fake-revert', required_bars: 3 },
  { id: 'fake-slow', required_bars: 10 },
] as const;

export function fakePredictions(bars: readonly { close: number }[]) {
  const closes = bars.map((b) => b.close);
  const last = closes.at(-1) ?? 0;
  const first3 = closes.at(-3) ?? last;
  const move = first3 === 0 ? 0 : (last - first3) / first3;
  const conf = Math.min(1, Math.round(Math.abs(move) * 1e4) / 100);
  const up: Decision = move > 0 ? 'BUY' : move < 0 ? 'SELL' : 'NEUTRAL';
  const down: Decision = move > 0 ? 'SELL' : move < 0 ? 'BUY' : 'NEUTRAL';
  return FAKE_MODELS.map((m) => {
    if (closes.length < m.required_bars) {
      return {
        model_id: m.id,
        error: 'INSUFFICIENT_BARS' as const,
        message: `needs ${m.required_bars} bars`,
        required_bars: m.required_bars,
        received_bars: closes.length,
      };
    }
    if (m.id === 'fake-trend') return { model_id: m.id, decision: up, confidence: conf, meta: { move } };
    if (m.id === 'fake-revert') return { model_id: m.id, decision: down, confidence: conf / 2, meta: { move } };
    return { model_id: m.id, decision: up, confidence: 0.5, meta: { bars: closes.length } };
  });
}

/** POST /v1/predict/batch and GET /v1/models with FAKE_MODELS; `setMode('error503')` makes it fail. */
export async function startFakeWorker() {
  let mode: 'up' | 'error503' = 'up';
  let calls = 0;
  const http = await listen((req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (mode === 'error503') return send(res, 503, error('SERVICE_UNAVAILABLE', 'down for the test'));
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, {
        success: true,
        models: FAKE_MODELS.map((m) => ({ ...m, version: '1.0.0', description: m.id })),
      });
    }
    if (req.method === 'POST' && path === '/v1/predict/batch') {
      calls++;
      const json = JSON.parse(body) as {
        series: { symbol: string; timeframe: string; bars: WorkerBarInput[]; models?: string[] }[];
      };
      return send(res, 200, {
        success: true,
        results: json.series.map((s) => ({
          symbol: s.symbol,
          timeframe: s.timeframe,
          bar_ts: new Date(Date.parse(s.bars.at(-1)?.bar_ts ?? '')).toISOString(),
          predictions: fakePredictions(s.bars).filter((p) => !s.models || s.models.includes(p.model_id)),
        })),
      });
    }
    return send(res, 404, error('NOT_FOUND', path));
  });
  return {
    url: http.url,
    close: http.close,
    setMode(m: 'up' | 'error503') {
      mode = m;
    },
    calls: () => calls,
  };
}

/** A deterministic random walk of `count` bars of `timeframe` ending with the bar that opens at `lastMs`. */
export function walkBars(timeframe: Timeframe, lastMs: number, count: number, seed = 1): WorkerBarInput[] {
  const len = TIMEFRAME_MS[timeframe];
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  let price = 1.1;
  const out: WorkerBarInput[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const open = price;
    const close = Math.round(open * (1 + (rand() - 0.5) * 0.004) * 1e5) / 1e5;
    const high = Math.round(Math.max(open, close) * 1.0005 * 1e5) / 1e5;
    const low = Math.round(Math.min(open, close) * 0.9995 * 1e5) / 1e5;
    out.push({ bar_ts: new Date(lastMs - i * len).toISOString(), open, high, low, close, volume: 100 });
    price = close;
  }
  return out;
}
