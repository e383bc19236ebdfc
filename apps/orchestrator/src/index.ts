export * from './clock';
export * from './config';
export * from './consensus/compute-consensus';
export type { CycleReport } from './cycle/run-cycle';
export { loadEnv as loadOrchestratorEnv } from './env';
export * from './http/serve';
export * from './leader/leader-lock';
export * from './orchestrator';
export * from './schedule/bar-close';
