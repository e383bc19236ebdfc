// Owns the worker process: logger, timeouts, listening and a graceful close on SIGTERM.
import type { FastifyInstance } from 'fastify';
import { buildWorkerApp } from './app';
import type { WorkerEnv } from './env';

export interface WorkerServer {
  readonly app: FastifyInstance;
  /** Listens; resolves with the address (`http://0.0.0.0:7071`). */
  start(): Promise<string>;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export function createWorkerServer(env: WorkerEnv): WorkerServer {
  const app = buildWorkerApp({
    bodyLimitBytes: env.WORKER_BODY_LIMIT_BYTES,
    maxBarsPerRequest: env.WORKER_MAX_BARS_PER_REQUEST,
    logger: env.LOG_LEVEL === 'silent' ? false : { level: env.LOG_LEVEL },
    // A 64 MiB body on a slow link still arrives in 30 s; beyond that the client is stuck or hostile.
    requestTimeoutMs: 30_000,
    // Above the 60 s idle timeout of Fly's proxy, so the proxy closes idle connections, never the worker.
    keepAliveTimeoutMs: 75_000,
  });
  return {
    app,
    start: () => app.listen({ port: env.PORT, host: env.HOST }),
    close: () => app.close(),
  };
}
