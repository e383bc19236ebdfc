// The web app's process for `npm start` and production-like runs: checks the configuration, builds if the sources
// changed (a no-op after the first start), then serves with `next start` until told to stop.
import { getEnv } from '../src/env';
import { ensureWebBuild, startWeb } from './build';

const env = getEnv();
const built = await ensureWebBuild({ log: (line) => console.log(`build: ${line}`) });
if (built) console.log('built the web app');
const web = await startWeb({
  port: env.PORT,
  host: env.HOST,
  env: {},
  log: (line) => console.log(line),
});
console.log(`serving ${env.WEB_URL}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void web.stop().then(() => process.exit(0));
  });
}
web.child.on('exit', (code) => process.exit(code ?? 1));
