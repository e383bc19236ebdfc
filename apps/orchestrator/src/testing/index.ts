export * from './fake-worker';
