import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The worker's Prometheus metrics, on a registry of its own so that two apps in one process do not collide. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'worker_' });
  return {
    registry,
    predictions: new Counter({
      name: 'worker_predictions_total',
      help: 'Model answers, by model and outcome (BUY, SELL, NEUTRAL or INSUFFICIENT_BARS).',
      labelNames: ['model', 'outcome'] as const,
      registers: [registry],
    }),
    series: new Counter({
      name: 'worker_series_total',
      help: 'Series predicted on (one per /v1/predict, many per /v1/predict/batch).',
      registers: [registry],
    }),
    bars: new Counter({
      name: 'worker_bars_total',
      help: 'Bars received in valid predict and features requests.',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'worker_http_request_duration_seconds',
      help: 'Time from request received to response sent, by method, route and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
