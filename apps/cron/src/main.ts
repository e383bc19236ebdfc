// trader-infra-cron as its own process (production: `node apps/cron/dist/main.js`), configured by env.
import { createLogger } from '@neuronetiq/client';
import { closeOnSignals } from '@neuronetiq/service/process';
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

closeOnSignals(() => cron.stop(), { logger, what: 'stopping', exit: (code) => process.exit(code) });
