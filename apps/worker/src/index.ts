// The worker as a library: build the app in-process (tests, benchmarks, a single-process `npm start`).
export { buildWorkerApp, type WorkerAppConfig, type WorkerAppDeps } from './app';
export type { WorkerEnv } from './env';
export { createWorkerServer, type WorkerServer } from './server';
export { decodeSeriesJson } from './validation/decode-series';
export { fastParseBatch, fastParseSeries, type ParsedSeries } from './validation/fast-series';
