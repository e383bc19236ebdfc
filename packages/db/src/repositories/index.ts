// Every statement the services run lives in one of these repositories. One calling convention: `repos.<area>.<verb>`,
// and every function takes the statement runner first: the api's per-request transaction (`db.asRequest`, which has
// set the role and claims, so RLS applies), a job's `db.transaction`, or the pool itself (`db`) for a single statement
// that needs no request context — a single statement is atomic on its own. The runner is never implied: which role a
// statement runs as is decided at the call site, in plain sight.
import { apiKeyRepository } from './api-keys';
import { auditLogRepository } from './audit-log';
import { deviceCodeRepository } from './cli-device-codes';
import { consensusRepository } from './consensus';
import { eventLogRepository } from './event-log';
import { idempotencyRepository } from './idempotency';
import { marketplaceRepository } from './marketplace';
import { metricsRepository } from './metrics';
import { modelRepository } from './models';
import { ohlcvRepository } from './ohlcv';
import { outboxRepository } from './outbox';
import { performanceRepository } from './performance';
import { rollUpDirtyRepository } from './rollup-dirty';
import { signalRepository } from './signals';
import { revenueRepository, subscriptionRepository } from './subscriptions';
import { userRepository } from './users';
import { webhookRepository } from './webhooks';

export const repos = {
  apiKeys: apiKeyRepository,
  auditLog: auditLogRepository,
  consensus: consensusRepository,
  deviceCodes: deviceCodeRepository,
  eventLog: eventLogRepository,
  idempotency: idempotencyRepository,
  marketplace: marketplaceRepository,
  metrics: metricsRepository,
  models: modelRepository,
  ohlcv: ohlcvRepository,
  outbox: outboxRepository,
  performance: performanceRepository,
  revenue: revenueRepository,
  rollUpDirty: rollUpDirtyRepository,
  signals: signalRepository,
  subscriptions: subscriptionRepository,
  users: userRepository,
  webhooks: webhookRepository,
} as const;
