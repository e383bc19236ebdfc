// `npm run smoke` (scripts/smoke.ts, docs/deploy.md Day 4) against `npm start`: every check passes against the whole
// platform, the web included; with a wrong service key the same command fails, naming the checks, with exit 1.
// Long: the first `next build` of the web app takes minutes on a busy machine.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ctrlC, type StartedPlatform, startPlatform, until } from './support/platform';
import { runText } from './support/run-text';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'nq-smoke-'));
// Another range than start.test.ts's (10,000 + 0…490), so both can run at once (start.ts allows at most 11,000).
const offset = 10_500 + (process.pid % 50) * 10;
const url = (port: number) => `http://127.0.0.1:${port + offset}`;
let platform: StartedPlatform | undefined;

after(async () => {
  if (platform && platform.child.exitCode === null) {
    await ctrlC(platform, 30_000).catch(() => {
      if (platform?.child.pid) process.kill(-platform.child.pid, 'SIGKILL');
    });
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const smoke = (key: string) =>
  runText(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/smoke.ts',
      url(8787),
      '--web',
      // The web app redirects every other host to WEB_URL, which npm start sets to localhost.
      url(3000).replace('127.0.0.1', 'localhost'),
      '--orchestrator',
      url(8080),
      '--worker',
      url(7071),
      '--cron',
      url(8081),
    ],
    { cwd: root, env: { ...process.env, SERVICE_ROLE_KEY: key } },
  );

test('npm run smoke passes against npm start, and fails naming the checks with a wrong key', async () => {
  platform = startPlatform(dataDir, offset);
  const p = platform;
  await Promise.race([
    until(
      'the web app',
      async () => (/Open .* for the marketplace/.test(p.output()) ? true : undefined),
      Date.now() + 600_000,
      1_000,
    ),
    p.exit.then((code) => {
      throw new Error(`npm start exited (${code})`);
    }),
  ]).catch((err: Error) => {
    throw new Error(`${err.message}\n${p.output().slice(-3000)}`);
  });
  const key = readFileSync(join(dataDir, 'service-role-key'), 'utf8').trim();

  const good = await smoke(key);
  assert.equal(good.code, 0, good.out);
  assert.match(good.out, /all 15 checks passed/);
  for (const name of [
    'worker /health',
    'orchestrator /health',
    'cron /health',
    'web /marketplace',
    'the stream delivered both',
  ]) {
    assert.match(good.out, new RegExp(`✓ ${name}`), name);
  }

  const bad = await smoke('x'.repeat(43));
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /✗ store a signal with an idempotency key, twice .*answered 401/);
  assert.match(bad.out, /✓ api \/health/);

  assert.equal(await ctrlC(p), 0);
});
