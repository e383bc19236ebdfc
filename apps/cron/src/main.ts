// trader-infra-cron as its own process (production: `node apps/cron/dist/main.js`), configured by env.
import { createLogger, stopOnSignals } from '@neuronetiq/client';
import { createCron } from './cron';
import { loadEnv } from './env';

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const logger = createLogger('cron', env.logLevel);
const cron = createCron(env.config, { logger });
const { port } = await cron.start();
logger.info(
  { port, api: env.config.infraApiUrl, demo: env.config.synthetic?.symbols ?? [], replay: env.config.replay?.file },
  'cron started',
);

stopOnSignals(() => cron.stop(), logger, 'stopping');
