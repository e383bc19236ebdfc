export * from './api';
export * from './errors';
export * from './market-data';
export * from './primitives';
export * from './responses';
export * from './signals';
export * from './version';
export * from './worker';
