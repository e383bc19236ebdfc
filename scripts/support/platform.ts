// `npm start` (scripts/start.ts) as a person runs it, for tests: its own data folder and port offset, its own process
// group (Ctrl-C goes to the group, as a terminal sends it), its output collected.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface StartedPlatform {
  child: ChildProcess;
  startedAt: number;
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts `npm start` on `dataDir` with every default port shifted by `offset`. */
export function startPlatform(dataDir: string, offset: number): StartedPlatform {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, NQ_DATA_DIR: dataDir, NQ_PORT_OFFSET: String(offset) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, startedAt: Date.now(), output: () => out, exit };
}

/** Ctrl-C in a terminal: SIGINT to the foreground process group. Resolves with the exit code (bounded). */
export async function ctrlC(s: StartedPlatform, timeoutMs = 45_000): Promise<number | null> {
  if (s.child.exitCode === null && s.child.pid) process.kill(-s.child.pid, 'SIGINT');
  return Promise.race([
    s.exit,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`npm start did not stop within ${timeoutMs} ms`)), timeoutMs),
    ),
  ]);
}

/** Polls `fn` until it returns a value (errors count as not yet), or throws naming `what` after `deadline`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  deadline: number,
  pollMs = 500,
): Promise<T> {
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
