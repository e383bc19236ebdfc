// Entry point of the worker process (`node apps/worker/dist/main.js` in production, `npm start -w @neuronetiq/worker` locally).
import { env } from './env';
import { closeOnSignals, createWorkerServer } from './server';

const server = createWorkerServer(env);
closeOnSignals(server, env.SHUTDOWN_GRACE_MS);
try {
  await server.start();
} catch (err) {
  server.app.log.error({ err }, 'could not start');
  console.error(err);
  process.exit(1);
}
