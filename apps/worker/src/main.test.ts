// The production artefact: `npm run build` bundles src/main.ts into dist/main.js, which must start on its own,
// serve, and exit cleanly on SIGTERM (Fly stops machines with it).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeBars } from './testing/harness';

const workerDir = fileURLToPath(new URL('..', import.meta.url));

before(() => {
  const build = spawnSync(process.execPath, ['../../scripts/build-app.mjs'], { cwd: workerDir, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
});

async function startBuilt(env: Record<string, string>): Promise<{ child: ChildProcess; url: Promise<string> }> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: workerDir,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${out}`)));
  });
  return { child, url };
}

test('the built dist/main.js starts, serves predictions and exits 0 on SIGTERM', async () => {
  const { child, url } = await startBuilt({ LOG_LEVEL: 'info' });
  try {
    const base = await url;
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    const res = await fetch(`${base}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'EURUSD', timeframe: '1h', bars: makeBars(250) }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { predictions: unknown[] };
    assert.equal(body.predictions.length, 5);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
});

test('the built worker refuses to boot on a bad variable, naming it', async () => {
  const { child, url } = await startBuilt({ PORT: 'seventy' });
  url.catch(() => {}); // it never listens; the exit code and stderr are what this test reads
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.match(stderr, /PORT: PORT must be a whole number/);
});
