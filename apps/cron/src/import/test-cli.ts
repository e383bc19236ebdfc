// `npm run import` as a person runs it, for the tests: a child process through tsx, configured only by environment
// (DATABASE_URL is not inherited, so a test names the database it means).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export function runImport(
  args: string[],
  env: Record<string, string | undefined>,
  how: { cwd?: string; viaNpm?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { DATABASE_URL: _, INIT_CWD: __, ...inherited } = process.env;
  // `viaNpm`: `npm --prefix <repo> run import` from `cwd`, as a person in another directory types it.
  const command = how.viaNpm ? 'npm' : process.execPath;
  const argv = how.viaNpm
    ? ['--prefix', ROOT, 'run', '--silent', 'import', '--', ...args]
    : ['--import', 'tsx', MAIN, ...args];
  const child = spawn(command, argv, {
    cwd: how.cwd ?? ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
