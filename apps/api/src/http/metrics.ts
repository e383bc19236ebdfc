import type { ErrorCode } from '@neuronetiq/contracts';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Error codes that mean "the input was refused as sent" (as opposed to who sent it, or the server's state). */
export const VALIDATION_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'VALIDATION_ERROR',
  'CONTRACT_VERSION_UNSUPPORTED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

/** The api's Prometheus metrics, on a registry of its own (several apps may live in one test process). */
export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'api_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'api_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route', 'method'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    signalsStored: new Counter({
      name: 'api_signals_written_total',
      help: 'Signals and consensus written, by kind and outcome (stored, unchanged, immutable, rejected)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'api_errors_total',
      help: 'Error responses by error code (validation failures are VALIDATION_ERROR)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    validationFailures: new Counter({
      name: 'api_validation_failures_total',
      help: 'Inputs refused by validation, by error code: whole requests, and each item of a batch write or bar upload that a 200 answer reports as rejected',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    idempotentReplays: new Counter({
      name: 'api_idempotent_replays_total',
      help: 'Requests answered from a stored Idempotency-Key response',
      registers: [registry],
    }),
    barsStored: new Counter({
      name: 'api_ohlcv_bars_written_total',
      help: 'OHLCV bars inserted or changed',
      registers: [registry],
    }),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
