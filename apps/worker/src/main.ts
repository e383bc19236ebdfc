// Entry point of the worker process (`node apps/worker/dist/main.js` in production, `npm start -w @neuronetiq/worker` locally).
import { closeOnSignals } from '@neuronetiq/service/process';
import { parseWorkerEnv } from './env';
import { createWorkerServer } from './server';

let env: ReturnType<typeof parseWorkerEnv>;
try {
  env = parseWorkerEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const server = createWorkerServer(env);
closeOnSignals(() => server.close(), {
  logger: server.app.log,
  what: 'closing: no new connections, finishing in-flight requests',
  graceMs: env.SHUTDOWN_GRACE_MS,
  exit: (code) => process.exit(code),
});
try {
  await server.start();
} catch (err) {
  server.app.log.error({ err }, 'could not start');
  console.error(err);
  process.exit(1);
}
