// The production artefact: `npm run build` bundles src/main.ts into dist/main.js, which must start on its own,
// serve, and exit cleanly on SIGTERM (Fly stops machines with it).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeBars } from './testing/harness';

const workerDir = fileURLToPath(new URL('..', import.meta.url));

before(() => {
  const build = spawnSync(process.execPath, ['../../scripts/build-app.mjs'], { cwd: workerDir, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
});

async function startBuilt(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; url: Promise<string> }> {
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
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

// Node's permission model: with read access granted and no --allow-fs-write, every file-system write of the process
// (fs, streams, a log file, a cache) throws ERR_ACCESS_DENIED. (`--permission` from Node 22; 20 calls it experimental.)
const READ_ONLY_FS = [
  process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission',
  '--allow-fs-read=*',
];

test('stateless: the built worker serves every endpoint from a process that is not allowed to write to disk', async () => {
  // The sandbox is real: the same flags make a write fail, so a worker that wrote anything would fail below.
  const probe = join(tmpdir(), `worker-write-probe-${process.pid}`);
  const denied = spawnSync(
    process.execPath,
    [...READ_ONLY_FS, '-e', `require('fs').writeFileSync(${JSON.stringify(probe)}, 'x')`],
    {
      encoding: 'utf8',
    },
  );
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /ERR_ACCESS_DENIED/);
  assert.equal(existsSync(probe), false);

  const { child, url } = await startBuilt({ LOG_LEVEL: 'info' }, READ_ONLY_FS);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const base = await url;
    const series = { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(250) };
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const answers = [
      await fetch(`${base}/health`),
      await fetch(`${base}/v1/models`),
      await post('/v1/features', { ...series, indicators: [{ name: 'rsi' }, { name: 'macd' }, { name: 'vwap' }] }),
      await post('/v1/predict', series),
      await post('/v1/predict/batch', { series: [series, { ...series, bars: makeBars(30, 2) }] }),
      await post('/v1/predict', { ...series, bars: [] }), // an error answer, logged, must not write either
      await fetch(`${base}/metrics`),
    ];
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200, 200, 400, 200],
    );
    const batch = (await answers[4]?.json()) as { results: { predictions: unknown[] }[] };
    assert.deepEqual(
      batch.results.map((r) => r.predictions.length),
      [5, 5],
    );
    assert.match(await (answers[6] as Response).text(), /worker_predictions_total\{model="baseline-rsi-001"/);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /ERR_ACCESS_DENIED/);
});
