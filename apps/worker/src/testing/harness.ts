// Starts real workers on 127.0.0.1 with a random port, and makes valid bars for requests.
import type { WorkerBarInput } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import { buildWorkerApp, type WorkerAppConfig } from '../app';

export interface RunningWorker {
  readonly url: string;
  readonly app: FastifyInstance;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startWorker(config: Partial<WorkerAppConfig> = {}): Promise<RunningWorker> {
  const app = buildWorkerApp({ bodyLimitBytes: 64 * 1024 * 1024, maxBarsPerRequest: 500_000, ...config });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    post: (path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: () => app.close(),
  };
}

/** A bar as a request to the worker carries it. */
export type TestBar = WorkerBarInput;

/** `n` valid hourly bars of a seeded random walk starting 2025-01-06T00:00Z. */
export function makeBars(n: number, seed = 1, startMs = Date.UTC(2025, 0, 6), stepMs = 3_600_000): TestBar[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  let price = 1.1;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    const close = Math.round(open * (1 + (random() - 0.5) * 0.004) * 1e5) / 1e5;
    price = close;
    return {
      bar_ts: new Date(startMs + i * stepMs).toISOString(),
      open,
      high: Math.round(Math.max(open, close) * (1 + random() * 0.001) * 1e5) / 1e5 + 0.00001,
      low: Math.round(Math.min(open, close) * (1 - random() * 0.001) * 1e5) / 1e5 - 0.00001,
      close,
      volume: Math.round(random() * 1000),
    };
  });
}
