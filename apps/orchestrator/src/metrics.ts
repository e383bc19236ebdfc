import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The orchestrator's Prometheus metrics, on a registry of its own (several instances may share a process). */
export function createOrchestratorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'orchestrator_' });
  const seconds = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
  return {
    registry,
    cycleDuration: new Histogram({
      name: 'orchestrator_cycle_duration_seconds',
      help: 'Time from the start of a cycle (one bar close) until every signal and consensus is stored or parked',
      buckets: seconds,
      registers: [registry],
    }),
    seriesProcessed: new Counter({
      name: 'orchestrator_series_processed_total',
      help: 'Series handled per bar close, by outcome (ok, no_bar: the closed bar is not in the database, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    signalsStored: new Counter({
      name: 'orchestrator_signals_total',
      help: 'Signals generated, by result (stored, unchanged, immutable, rejected, outboxed)',
      labelNames: ['result'],
      registers: [registry],
    }),
    consensusStored: new Counter({
      name: 'orchestrator_consensus_total',
      help: 'Consensus generated, by result (stored, rejected, outboxed)',
      labelNames: ['result'],
      registers: [registry],
    }),
    phaseDuration: new Histogram({
      name: 'orchestrator_cycle_phase_seconds',
      help: 'Time one chunk of series spent in a phase of the cycle (bars, worker, signals, consensus)',
      labelNames: ['phase'],
      buckets: seconds,
      registers: [registry],
    }),
    workerLatency: new Histogram({
      name: 'orchestrator_worker_request_duration_seconds',
      help: 'Latency of POST /v1/predict/batch, retries included',
      buckets: seconds,
      registers: [registry],
    }),
    outboxWrites: new Counter({
      name: 'orchestrator_outbox_writes_total',
      help: 'Items parked in ml.ingest_outbox because the api could not take them',
      labelNames: ['kind'],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'orchestrator_bar_close_lag_seconds',
      help: 'How long after its bar close the last cycle finished',
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: 'orchestrator_is_leader',
      help: '1 while this instance holds the leader lock, 0 while it is a standby',
      registers: [registry],
    }),
    spilled: new Gauge({
      name: 'orchestrator_unparked_items',
      help: 'Items held in memory because neither the api nor the database took them (retried every tick)',
      registers: [registry],
    }),
  };
}
export type OrchestratorMetrics = ReturnType<typeof createOrchestratorMetrics>;
