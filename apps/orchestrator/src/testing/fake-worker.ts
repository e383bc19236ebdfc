// A stand-in for the model worker in tests of the orchestrator and the cron: a real HTTP server on 127.0.0.1 with
// the worker's wire contract (GET /v1/models, POST /v1/predict/batch), three deterministic models, and a switch to
// make it fail. The api in those tests is the real one (`@neuronetiq/api/testing`'s startTestApi).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Decision, TIMEFRAME_MS, type Timeframe, type WorkerBarInput } from '@neuronetiq/contracts';

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

const error = (code: string, message: string) => ({ success: false, error: code, message, request_id: 'fake-worker' });

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
