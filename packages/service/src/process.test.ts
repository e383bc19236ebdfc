import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { startHealthServer } from './health-server';
import { closeOnSignals } from './shutdown';

const quiet = { info: () => {}, error: () => {} };

test('closeOnSignals closes once on the first signal and exits 0; a failed close exits 1', async () => {
  const signals = new EventEmitter();
  let closes = 0;
  const exited = new Promise<number>((resolve) => {
    closeOnSignals(
      async () => {
        closes++;
      },
      { logger: quiet, exit: resolve, signals: signals as unknown as NodeJS.Process },
    );
  });
  signals.emit('SIGTERM', 'SIGTERM');
  signals.emit('SIGINT', 'SIGINT');
  assert.equal(await exited, 0);
  assert.equal(closes, 1);

  const failing = new EventEmitter();
  const code = await new Promise<number>((resolve) => {
    closeOnSignals(() => Promise.reject(new Error('stuck')), {
      logger: quiet,
      exit: resolve,
      signals: failing as unknown as NodeJS.Process,
    });
    failing.emit('SIGINT', 'SIGINT');
  });
  assert.equal(code, 1);
});

test('closeOnSignals exits 1 when the close outlasts the grace period', async () => {
  const signals = new EventEmitter();
  // The grace timer is unref'd (it must not hold a closing service open) and the close never settles, so nothing
  // else would keep this test's event loop alive until the timer fires.
  const keepAlive = setInterval(() => {}, 1_000);
  const code = await new Promise<number>((resolve) => {
    closeOnSignals(() => new Promise<void>(() => {}), {
      logger: quiet,
      exit: resolve,
      graceMs: 20,
      signals: signals as unknown as NodeJS.Process,
    });
    signals.emit('SIGTERM', 'SIGTERM');
  }).finally(() => clearInterval(keepAlive));
  assert.equal(code, 1);
});

test('the health server answers /health with its status, /metrics as text, anything else 404 in the error shape', async () => {
  let healthy = true;
  const server = await startHealthServer({
    port: 0,
    host: '127.0.0.1',
    health: async () => ({ status: healthy ? 200 : 503, body: { status: healthy ? 'ok' : 'down' } }),
    metrics: { contentType: 'text/plain; version=0.0.4', metrics: async () => 'up 1\n' },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok' });
    healthy = false;
    assert.equal((await fetch(`${base}/health`)).status, 503);
    const metrics = await fetch(`${base}/metrics`);
    assert.match(String(metrics.headers.get('content-type')), /^text\/plain/);
    assert.equal(await metrics.text(), 'up 1\n');
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, 'NOT_FOUND');
  } finally {
    await server.close();
  }
});
