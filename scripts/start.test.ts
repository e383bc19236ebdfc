// `npm start` as a person runs it: one command brings every service up on a fresh embedded database, signals and
// consensus arrive within 60 s of the command and keep arriving at bar closes, Ctrl-C (sent to the whole process
// group, as a terminal does) stops everything and frees every port, and a second start resumes from the same data.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ctrlC, type StartedPlatform, startPlatform, until } from './support/platform';

const dataDir = mkdtempSync(join(tmpdir(), 'nq-start-'));
const offset = 10_000 + (process.pid % 50) * 10;
const api = `http://127.0.0.1:${8787 + offset}`;
// api, worker, cron, orchestrator, orchestrator metrics, web, embedded database.
const PORTS = [8787, 7071, 8081, 8080, 9091, 3000, 54329].map((p) => p + offset);

const started: StartedPlatform[] = [];
const start = () => {
  const s = startPlatform(dataDir, offset);
  started.push(s);
  return s;
};

async function counts(key: string): Promise<{ signals: number; consensus: number; newestConsensus: string | null }> {
  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(5_000),
    });
    return res.ok ? ((await res.json()) as { data: { bar_ts: string }[] }).data : undefined;
  };
  const signals = await get('/api/signals?limit=5000');
  const consensus = await get('/api/consensus?limit=5000');
  if (!signals || !consensus) throw new Error('api not answering yet');
  const newest = consensus.map((c) => c.bar_ts).sort();
  return { signals: signals.length, consensus: consensus.length, newestConsensus: newest.at(-1) ?? null };
}

/** True when nothing listens on 127.0.0.1:port any more. */
function isClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function assertAllPortsFreed(): Promise<void> {
  for (const port of PORTS) assert.ok(await isClosed(port), `port ${port} is still open after Ctrl-C`);
}

describe('npm start (scripts/start.ts)', () => {
  after(async () => {
    // A failed assertion must not leave a platform running: ask it to stop, then make sure.
    for (const s of started) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      await ctrlC(s, 30_000).catch(() => {
        if (s.child.pid) process.kill(-s.child.pid, 'SIGKILL');
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('signals and consensus within 60 s of the command, more at the next bar close; Ctrl-C frees every port; a second start resumes', async () => {
    const first = start();
    const key = await until(
      'the service key',
      async () => readFileSync(join(dataDir, 'service-role-key'), 'utf8').trim() || undefined,
      first.startedAt + 30_000,
    );
    // The clock starts at the command, not at "is up".
    const stored = await until(
      'signals and consensus',
      async () => {
        const c = await counts(key);
        return c.signals > 0 && c.consensus > 0 ? c : undefined;
      },
      first.startedAt + 60_000,
    );
    // The orchestrator's start-up catch-up can store signals a moment before npm start prints its summary.
    await until(
      'the "is up" summary',
      async () => (/is up in/.test(first.output()) ? true : undefined),
      first.startedAt + 60_000,
      100,
    );
    assert.ok(Date.now() - first.startedAt <= 61_000);
    assert.match(first.output(), /is up in/);
    for (const name of ['api', 'worker', 'cron', 'orchestrator']) {
      assert.match(first.output(), new RegExp(`✓ ${name}\\s+http://127\\.0\\.0\\.1:\\d+`), `${name} and its port`);
    }
    assert.ok(stored.signals >= stored.consensus);
    assert.equal(await ctrlC(first), 0);
    assert.match(first.output(), /stopped; data kept/);
    await assertAllPortsFreed();

    const second = start();
    await until(
      'the second start',
      async () => (second.output().includes('is up in') ? true : undefined),
      Date.now() + 90_000,
    );
    assert.match(second.output(), /schema is current/);
    const again = await counts(key);
    assert.ok(again.signals >= stored.signals, `signals went from ${stored.signals} to ${again.signals}`);
    // Live: a bar close after the first run's newest brings a consensus for a newer bar (1m demo bars: at most one
    // minute, two if the feed's bar missed a close's settle delay).
    const newer = await until(
      'a consensus for a newer bar',
      async () => {
        const c = await counts(key);
        return c.newestConsensus && stored.newestConsensus && c.newestConsensus > stored.newestConsensus
          ? c
          : undefined;
      },
      Date.now() + 125_000,
    );
    assert.ok(newer.signals > stored.signals);
    assert.equal(await ctrlC(second), 0);
    await assertAllPortsFreed();
  });

  test('Ctrl-C while the services are still starting stops cleanly and frees every port', async () => {
    // If the test before failed midway its platform still holds the ports and the data folder: stop it first.
    for (const running of started) if (running.child.exitCode === null) await ctrlC(running).catch(() => {});
    const s = start();
    // The database is up and migrated; the services are being launched one by one (each takes seconds).
    await until(
      'the database',
      async () => (s.output().includes('schema is current') ? true : undefined),
      Date.now() + 60_000,
      20,
    );
    assert.equal(await ctrlC(s), 0, s.output());
    assert.match(s.output(), /stopped; data kept/);
    assert.doesNotMatch(s.output(), /is up in/, 'interrupted before the platform was up');
    assert.doesNotMatch(s.output(), /ReferenceError|Unhandled|exited \(/);
    await assertAllPortsFreed();
  });
});
