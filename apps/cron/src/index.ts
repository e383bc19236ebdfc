export * from './config';
export * from './cron';
export { loadEnv as loadCronEnv } from './env';
export * from './import/run-import';
export * from './ingest/synthetic-ingest';
export * from './maintenance/expire-idempotency';
export * from './outbox/drain-outbox';
export * from './resample/roll-up-bars';
export * from './resample/roll-up-job';
