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

/** Closes the server on SIGTERM/SIGINT; exits 1 if in-flight requests outlast `graceMs`. */
export function closeOnSignals(server: WorkerServer, graceMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'closing: no new connections, finishing in-flight requests');
    const timer = setTimeout(() => {
      server.app.log.error(`in-flight requests still running after ${graceMs} ms; exiting`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
