// `npm start` as a person runs it: one command brings every service up on a fresh embedded database, signals and
// consensus arrive within 60 s, Ctrl-C stops everything cleanly, and a second start resumes from the same data.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'nq-start-'));
const offset = 10_000 + (process.pid % 50) * 10;
const api = `http://127.0.0.1:${8787 + offset}`;

function start(): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, NQ_DATA_DIR: dataDir, NQ_PORT_OFFSET: String(offset) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, output: () => out };
}

async function counts(key: string): Promise<{ signals: number; consensus: number }> {
  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return res.ok ? ((await res.json()) as { data: unknown[] }).data.length : -1;
  };
  return { signals: await get('/api/signals?limit=5000'), consensus: await get('/api/consensus?limit=5000') };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stop(p: { child: ChildProcess }): Promise<number | null> {
  const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
  p.child.kill('SIGINT');
  return exited;
}

describe('npm start (scripts/start.ts)', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('brings the platform up, stores signals and consensus within 60 s, stops cleanly, and resumes', async () => {
    const first = start();
    try {
      await until(
        'the platform to be up',
        async () => (first.output().includes('is up in') ? true : undefined),
        90_000,
      );
      for (const name of ['api', 'worker', 'cron', 'orchestrator']) {
        assert.match(first.output(), new RegExp(`✓ ${name}\\s+http://127\\.0\\.0\\.1:\\d+`));
      }
      const key = readFileSync(join(dataDir, 'service-role-key'), 'utf8').trim();
      const stored = await until(
        'signals and consensus',
        async () => {
          const c = await counts(key);
          return c.signals > 0 && c.consensus > 0 ? c : undefined;
        },
        60_000,
      );
      assert.ok(stored.signals >= stored.consensus);
      assert.equal(await stop(first), 0);
      assert.match(first.output(), /stopped; data kept/);

      const second = start();
      try {
        await until('the second start', async () => (second.output().includes('is up in') ? true : undefined), 90_000);
        assert.match(second.output(), /schema is current/);
        const again = await counts(key);
        assert.ok(again.signals >= stored.signals, `signals went from ${stored.signals} to ${again.signals}`);
      } finally {
        assert.equal(await stop(second), 0);
      }
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
  });
});
