export * from './client';
export * from './embedded';
export * from './migrate';
export * from './notify';
export { hashApiKey, looksLikeApiKey } from './repositories/api-keys';
export {
  DEVICE_CODE_STATUSES,
  type DeviceCodeRecord,
  type DeviceCodeStatus,
  isUserCodeTaken,
} from './repositories/cli-device-codes';
export { EVENT_LOG_CHANNEL, type EventLogRead, type EventLogScan } from './repositories/event-log';
export type { IdempotencyRecord } from './repositories/idempotency';
export { repos } from './repositories/index';
export type { WriteOutcome } from './repositories/latest-writes';
export {
  MARKETPLACE_TRACK_RECORD_WINDOW,
  type MarketplaceModelRow,
  type SeriesRecordRow,
} from './repositories/marketplace';
export type { OutboxItem, OutboxKind } from './repositories/outbox';
export type { DirtyRange } from './repositories/rollup-dirty';
export type { GroupWriteResult } from './repositories/signals';
export type { RevenueInputs, SubscriptionRow } from './repositories/subscriptions';
export type { UserRecord, VerifiedIdentity } from './repositories/users';
export type { DueWebhook, WebhookDeliveryRow } from './repositories/webhooks';
export * from './session-locks';
