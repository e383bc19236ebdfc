import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The cron's Prometheus metrics, on a registry of its own (several instances may share a process in tests). */
export function createCronMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cron_' });
  return {
    registry,
    delivered: new Counter({
      name: 'cron_outbox_delivered_total',
      help: 'Outbox items the api accepted on re-delivery (then deleted)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'cron_outbox_failures_total',
      help: 'Failed re-deliveries, by class (retry, park: credentials refused, reject: permanent)',
      labelNames: ['kind', 'class'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'cron_outbox_dead_letters_total',
      help: 'Items moved to the dead-letter state, by reason (rejected: permanent error; exhausted: out of attempts)',
      labelNames: ['kind', 'reason'],
      registers: [registry],
    }),
    items: new Gauge({
      name: 'cron_outbox_items',
      help: 'Items in ml.ingest_outbox by status (pending, dead), as of the last drain',
      labelNames: ['status'],
      registers: [registry],
    }),
    drainDuration: new Histogram({
      name: 'cron_outbox_drain_duration_seconds',
      help: 'Duration of one drain pass',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    ingestedBars: new Counter({
      name: 'cron_ingested_bars_total',
      help: 'Bars posted to the api by scheduled ingestion, by source (synthetic, replay)',
      labelNames: ['source'],
      registers: [registry],
    }),
    ingestFailures: new Counter({
      name: 'cron_ingest_failures_total',
      help: 'Bar posts that failed (kept and re-posted with the next bar)',
      labelNames: ['source'],
      registers: [registry],
    }),
    providerBars: new Counter({
      name: 'cron_provider_bars_total',
      help: 'Bars from an exchange provider sent to the api, by outcome (posted: accepted; rejected: refused by the api)',
      labelNames: ['provider', 'symbol', 'timeframe', 'outcome'],
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: 'cron_provider_errors_total',
      help: 'Failed provider polls, by kind (rate_limited, unavailable, malformed, invalid_request: series stopped, api: our post)',
      labelNames: ['provider', 'symbol', 'timeframe', 'kind'],
      registers: [registry],
    }),
    signalsScored: new Counter({
      name: 'cron_signals_scored_total',
      help: 'Signal outcomes written by the scoring sweep (the trigger on market.ohlcv scores most of them first)',
      registers: [registry],
    }),
    barsRolledUp: new Counter({
      name: 'cron_bars_rolled_up_total',
      help: 'Bars of larger timeframes inserted or changed by rolling up stored 1m bars, by target timeframe',
      labelNames: ['timeframe'],
      registers: [registry],
    }),
    idempotencyExpired: new Counter({
      name: 'cron_idempotency_records_expired_total',
      help: 'Idempotency records older than their retention, deleted',
      registers: [registry],
    }),
    eventLogTrimmed: new Counter({
      name: 'cron_event_log_rows_trimmed_total',
      help: 'Event log rows (GET /api/stream) older than EVENT_LOG_RETENTION_MS, deleted',
      registers: [registry],
    }),
  };
}
export type CronMetrics = ReturnType<typeof createCronMetrics>;
