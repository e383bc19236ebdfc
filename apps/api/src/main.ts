import { closeOnSignals } from '@neuronetiq/service/process';
import { parseEnv } from './env';
import { startApiServer } from './server';

let env: ReturnType<typeof parseEnv>;
try {
  env = parseEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const server = await startApiServer(env);
closeOnSignals(() => server.stop(), {
  logger: server.app.log,
  what: 'shutting down: finishing in-flight requests',
  exit: (code) => process.exit(code),
});
