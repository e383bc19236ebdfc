// The benchmarks' database (a fresh PostgreSQL database or an embedded PGlite, migrated) and the api in a process of
// its own (as in production), so that the load generator does not share the api's event loop.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDb, migrate, startEmbeddedDatabase } from '@neuronetiq/db';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function createBenchDatabase(
  backend: string,
  pgServer: string,
): Promise<{ databaseUrl: string; cleanup: () => Promise<void> }> {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  if (backend === 'postgres') {
    const name = `nq_bench_${randomBytes(4).toString('hex')}`;
    const admin = createDb(pgServer, { max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(pgServer);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    cleanup = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const embedded = await startEmbeddedDatabase({ maxConnections: 100 });
    databaseUrl = embedded.url;
    cleanup = () => embedded.close();
  }
  const db = createDb(databaseUrl, { max: 1 });
  await migrate(db);
  await db.end();
  return { databaseUrl, cleanup };
}

export async function startApiProcess(
  databaseUrl: string,
  serviceKey: string,
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SERVICE_ROLE_KEY: serviceKey,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: '32',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The api logs its address as JSON at info level, which we silenced: ask the OS instead via a readiness poll.
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`api exited with ${code}: ${out}`)));
    const started = Date.now();
    const poll = setInterval(async () => {
      const port = await findPort(child.pid as number);
      if (port) {
        clearInterval(poll);
        resolve(`http://127.0.0.1:${port}`);
      } else if (Date.now() - started > 60_000) {
        clearInterval(poll);
        reject(new Error('api did not start in 60 s'));
      }
    }, 250);
  });
  return { url, child };
}

async function findPort(pid: number): Promise<number | null> {
  try {
    const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
    const line = out.split('\n').find((l) => l.includes(`pid=${pid},`));
    const port = line?.match(/127\.0\.0\.1:(\d+)/)?.[1];
    if (!port) return null;
    const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    return res?.ok ? Number(port) : null;
  } catch {
    return null;
  }
}
