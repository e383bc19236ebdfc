// Build once, start many times: `next build` runs only when the web app's sources (or the workspace packages it
// bundles) changed since the last build, so `npm start`, the smoke test and the browser tests share one build.
// Concurrent callers (test files run in parallel) wait for one builder through a lock directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(webDir, '..', '..');
const hashFile = join(webDir, '.next', 'nq-source-hash');
const lockDir = join(webDir, '.next-build-lock');
const nextBin = createRequire(join(webDir, 'package.json')).resolve('next/dist/bin/next');

const INPUTS = [
  'apps/web/src',
  'apps/web/next.config.ts',
  'apps/web/postcss.config.mjs',
  'apps/web/package.json',
  'packages/contracts/src',
  'packages/indicators/src',
  'package-lock.json',
];

function files(path: string, out: string[]): string[] {
  if (!existsSync(path)) return out;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name.endsWith('.test.ts') || name.endsWith('.test.tsx')) continue;
      files(join(path, name), out);
    }
  } else out.push(path);
  return out;
}

/** Hash of everything the build reads (paths and contents), tests excluded. */
export function sourceHash(): string {
  const h = createHash('sha256');
  for (const input of INPUTS) {
    for (const f of files(join(repoRoot, input), [])) {
      h.update(relative(repoRoot, f));
      h.update('\0');
      h.update(readFileSync(f));
      h.update('\0');
    }
  }
  return h.digest('hex');
}

export function isBuildCurrent(hash = sourceHash()): boolean {
  return existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash;
}

function runNextBuild(log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: webDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d: Buffer) => {
        output += d.toString();
        for (const line of d.toString().split('\n')) if (line.trim()) log(line);
      });
    }
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

/** The build lock: a directory holding the builder's pid; a lock whose builder is gone is taken over. */
function takeLock(): boolean {
  try {
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'pid'), String(process.pid));
    return true;
  } catch {
    let pid = 0;
    try {
      pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8')) || 0;
    } catch {
      pid = 0;
    }
    let alive = false;
    try {
      alive = pid > 0 && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    // No pid yet is a builder between mkdir and write: wait for it unless the lock is old.
    const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (!alive && (pid > 0 || age > 10_000)) rmSync(lockDir, { recursive: true, force: true });
    return false;
  }
}

/** Builds the app unless the last build is of the same sources. Returns whether it built. */
export async function ensureWebBuild(
  options: { log?: (line: string) => void; timeoutMs?: number } = {},
): Promise<boolean> {
  const log = options.log ?? (() => {});
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const hash = sourceHash();
    if (isBuildCurrent(hash)) return false;
    if (!takeLock()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for another next build');
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      if (isBuildCurrent(hash)) return false;
      await runNextBuild(log);
      writeFileSync(hashFile, hash);
      return true;
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  }
}

export interface RunningWeb {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `next start` of the built app on `port` (0 is not supported by Next: pass a free one) with `env` as its whole
 * configuration (see src/env.ts); resolves once /health answers.
 */
export async function startWeb(options: {
  port: number;
  host?: string;
  env: Record<string, string>;
  log?: (line: string) => void;
  /** Aborting it while the server starts stops `next start` and rejects. */
  signal?: AbortSignal;
}): Promise<RunningWeb> {
  const host = options.host ?? '127.0.0.1';
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(options.port), '-H', host], {
    cwd: webDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...options.env, PORT: String(options.port), HOST: host },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.log ?? (() => {});
  for (const s of [child.stdout, child.stderr]) s.on('data', (d: Buffer) => log(d.toString().trimEnd()));
  const url = `http://${host}:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (options.signal?.aborted) {
      await stop();
      throw new Error('next start was stopped while starting');
    }
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { url, child, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error('next start did not answer /health within 60 s');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await ensureWebBuild({ log: (l) => console.log(l) });
  console.log(built ? 'web app built' : 'web app build is current');
}
