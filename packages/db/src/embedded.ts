import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  /** A `postgres://` URL every service connects to with the same `pg` pool as to a real PostgreSQL. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** The whole data folder as an uncompressed tarball (what `loadDataDir` starts from). */
  dumpDataDir(): Promise<Blob>;
}

export interface EmbeddedOptions {
  /** Folder that persists the database (e.g. `./.data/pglite`); in memory when absent. */
  dataDir?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Concurrent client connections the socket's multiplexer accepts (it runs their transactions one at a time). */
  maxConnections?: number;
  /** Starts from this copy of a data folder (a tarball from `dumpDataDir`) instead of an empty cluster. */
  loadDataDir?: Blob;
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) and serves it over the PostgreSQL wire protocol, so the services
 * reach the embedded database exactly as they reach a real server. PGlite has one backend: the multiplexer queues
 * whole transactions, which keeps them isolated (RLS claims included) at the cost of concurrency.
 */
export async function startEmbeddedDatabase(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({
    db: pglite,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  await server.start();
  const [, portText] = server.getServerConn().split(/:(?=\d+$)/);
  const port = Number(portText);
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    port,
    async close() {
      await server.stop();
      await pglite.close();
    },
    dumpDataDir: () => pglite.dumpDataDir('none'),
  };
}
