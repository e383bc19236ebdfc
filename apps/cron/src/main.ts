// trader-infra-cron as its own process (production: `node apps/cron/dist/main.js`), configured by env.
import { createLogger } from '@neuronetiq/client';
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

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'stopping');
    cron.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err: (err as Error).message }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
