// The embedded database in a process of its own for bench/cycle.ts, as `npm start` runs it (PGlite served over the
// wire protocol by pglite-socket): prints `url=<postgres://…>` once it listens, and stops on SIGTERM.
import { startEmbeddedDatabase } from '@neuronetiq/db';

const embedded = await startEmbeddedDatabase({ maxConnections: 100 });
console.log(`url=${embedded.url}`);
process.on('SIGTERM', () => {
  embedded.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
