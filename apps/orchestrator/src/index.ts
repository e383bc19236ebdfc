export * from './config';
export * from './consensus/compute-consensus';
export * from './consensus/track-record';
export type { CycleReport } from './cycle/run-cycle';
export { loadEnv as loadOrchestratorEnv } from './env';
export * from './leader/leader-lock';
export * from './orchestrator';
export * from './schedule/bar-close';
