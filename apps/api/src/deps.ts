import type { Db } from '@neuronetiq/db';
import type { AuthResolver } from './auth/resolve';
import type { ApiMetrics } from './http/metrics';
import type { PaymentProvider } from './payments/payment-provider';
import type { EventLogTail } from './stream/event-log-tail';

/** What use cases get: the database, metrics and the clock (injectable so tests can pin time). */
export interface ApiDeps {
  db: Db;
  metrics: ApiMetrics;
  auth: AuthResolver;
  now: () => number;
  /** Largest CSV accepted by POST /api/marketdata/import. */
  importMaxBytes: number;
  /** GET /api/stream: the process's one reader of the event log's head, and the heartbeat interval. */
  stream: { tail: EventLogTail; heartbeatMs: number };
  /** `mp login`'s device flow: the web page that approves codes, the poll interval and the codes' lifetime. */
  deviceFlow: DeviceFlowOptions;
  /** Subscriptions are billed through it; its webhooks arrive at POST /api/payments/webhook. */
  payments: PaymentProvider;
}

export interface DeviceFlowOptions {
  /** `<web>/cli/authorize`. */
  verificationUri: string;
  intervalS: number;
  expiresInS: number;
}
