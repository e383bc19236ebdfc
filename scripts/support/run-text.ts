import { spawn } from 'node:child_process';

/** Runs a command to its end and resolves with its exit code and its stdout and stderr interleaved as text. */
export function runText(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}
