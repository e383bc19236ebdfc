// The web app's process for `npm start` and production-like runs: checks the configuration, builds if the sources
// changed (a no-op after the first start), then serves with `next start` until told to stop.
import { getEnv } from '../src/env';
import { ensureWebBuild, type RunningWeb, startWeb } from './build';

const env = getEnv();
// Signals are handled from the first moment: one that came while the build or `next start` was still running would
// otherwise end this process and leave `next start` serving on its own.
const stopping = new AbortController();
let web: RunningWeb | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping.abort();
    if (web) void web.stop().then(() => process.exit(0));
  });
}
const built = await ensureWebBuild({ log: (line) => console.log(`build: ${line}`) });
if (built) console.log('built the web app');
if (stopping.signal.aborted) process.exit(0);
web = await startWeb({
  port: env.PORT,
  host: env.HOST,
  env: {},
  log: (line) => console.log(line),
  signal: stopping.signal,
}).catch((err: Error) => {
  console.error(err.message);
  process.exit(stopping.signal.aborted ? 0 : 1);
});
console.log(`serving ${env.WEB_URL}`);
web.child.on('exit', (code) => process.exit(code ?? 1));
