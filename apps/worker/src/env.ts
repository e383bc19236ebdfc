// The worker's configuration: the one module that reads process.env, parsed when main.ts asks. A bad value stops the boot naming the variable.
import { parseEnv } from '@neuronetiq/service/env';
import { z } from 'zod';

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number > 0` })
    .int({ error: `${name} must be a whole number > 0` })
    .positive({ error: `${name} must be a whole number > 0` })
    .default(fallback);

export const WorkerEnvSchema = z.object({
  /** Port to listen on; 0 picks a free one. */
  PORT: z.coerce
    .number({ error: 'PORT must be a whole number from 0 to 65535' })
    .int({ error: 'PORT must be a whole number from 0 to 65535' })
    .min(0, { error: 'PORT must be a whole number from 0 to 65535' })
    .max(65535, { error: 'PORT must be a whole number from 0 to 65535' })
    .default(7071),
  /** Interface to bind: 0.0.0.0 in a container, 127.0.0.1 for a local-only worker. */
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  /** Largest request body accepted, in bytes (413 above it). 64 MiB fits 500,000 bars of JSON. */
  WORKER_BODY_LIMIT_BYTES: positiveInt('WORKER_BODY_LIMIT_BYTES', 64 * 1024 * 1024),
  /** Most bars one request may carry, summed over its series (400 above it). */
  WORKER_MAX_BARS_PER_REQUEST: positiveInt('WORKER_MAX_BARS_PER_REQUEST', 500_000),
  /** Milliseconds the process waits for in-flight requests after SIGTERM before it exits anyway. */
  SHUTDOWN_GRACE_MS: positiveInt('SHUTDOWN_GRACE_MS', 10_000),
});
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

/** Parses the worker's variables; throws naming every bad one (main.ts decides to exit). */
export function parseWorkerEnv(source: Readonly<Record<string, string | undefined>> = process.env): WorkerEnv {
  return parseEnv(WorkerEnvSchema, source, 'worker');
}
