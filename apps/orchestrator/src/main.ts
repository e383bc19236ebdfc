// trader-ml-orchestrator as its own process (production: `node apps/orchestrator/dist/main.js`), configured by env.
import { createLogger } from '@neuronetiq/client';
import { closeOnSignals } from '@neuronetiq/service/process';
import { loadEnv } from './env';
import { createOrchestrator } from './orchestrator';

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const logger = createLogger('orchestrator', env.logLevel);
const orchestrator = createOrchestrator(env.config, { logger });
const { port, metricsPort } = await orchestrator.start();
logger.info(
  { port, metricsPort, series: env.config.series.length, api: env.config.infraApiUrl, worker: env.config.workerUrl },
  'orchestrator started',
);

closeOnSignals(() => orchestrator.stop(), {
  logger,
  what: 'stopping: finishing the cycle in progress',
  exit: (code) => process.exit(code),
});
