export * from './api-client';
export * from './concurrency';
export * from './errors';
export * from './http';
export * from './logger';
export * from './retry';
export * from './vendor-client';
export * from './worker-client';
