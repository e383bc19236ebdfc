import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { classifyFailure, failureKind, HttpError } from './errors';
import { requestJson } from './http';
import { backoffDelayMs, withRetry } from './retry';

const http = (status: number, code?: string) => new HttpError(status, code, `status ${status}`);

describe('retry classification', () => {
  test('5xx, 408, 429 and an in-flight idempotency key are retried', () => {
    for (const e of [http(500), http(502), http(503), http(504), http(408), http(429)]) {
      assert.equal(classifyFailure(e), 'retry', `status ${e.status}`);
    }
    assert.equal(classifyFailure(http(409, 'IDEMPOTENCY_KEY_IN_FLIGHT')), 'retry');
  });

  test('validation errors, SIGNAL_IMMUTABLE, a reused key and other 4xx are never retried', () => {
    for (const e of [
      http(400, 'VALIDATION_ERROR'),
      http(409, 'SIGNAL_IMMUTABLE'),
      http(422, 'IDEMPOTENCY_KEY_REUSED'),
      http(404),
      http(413),
    ]) {
      assert.equal(classifyFailure(e), 'reject', `status ${e.status} ${e.code}`);
    }
  });

  test('refused credentials park the item (kept, not retried at once)', () => {
    assert.equal(classifyFailure(http(401, 'UNAUTHENTICATED')), 'park');
    assert.equal(classifyFailure(http(403, 'FORBIDDEN')), 'park');
  });

  test('failureKind: answers about the request are permanent, everything else transient', () => {
    for (const e of [http(400), http(401), http(403), http(404), http(409, 'SIGNAL_IMMUTABLE'), http(422)]) {
      assert.equal(failureKind(e), 'permanent', `status ${e.status}`);
      assert.equal(e.kind, 'permanent');
    }
    for (const e of [http(500), http(503), http(408), http(429), http(409, 'IDEMPOTENCY_KEY_IN_FLIGHT')]) {
      assert.equal(failureKind(e), 'transient', `status ${e.status}`);
    }
    assert.equal(failureKind(new TypeError('fetch failed')), 'transient');
  });

  test('real transport failures are retried: connection refused, reset, timeout', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const refused = await requestJson({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    assert.equal(classifyFailure(refused), 'retry');

    const server = createServer((req, res) => {
      if (req.url === '/reset') req.socket.destroy();
      else setTimeout(() => res.end('{}'), 500);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reset = await requestJson({ method: 'GET', url: `${base}/reset`, timeoutMs: 2000 }).catch((e: unknown) => e);
    const slow = await requestJson({ method: 'GET', url: `${base}/slow`, timeoutMs: 50 }).catch((e: unknown) => e);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    assert.ok(reset instanceof Error && !(reset instanceof HttpError));
    assert.equal(classifyFailure(reset), 'retry');
    assert.equal((slow as Error).name, 'TimeoutError');
    assert.equal(classifyFailure(slow), 'retry');
  });

  test('a non-2xx answer becomes an HttpError with the body error code and Retry-After', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end(JSON.stringify({ success: false, error: 'RATE_LIMITED', message: 'slow down' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const err = await requestJson({
      method: 'POST',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`,
      body: {},
      timeoutMs: 2000,
    }).catch((e: unknown) => e);
    await new Promise<void>((r) => server.close(() => r()));
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 429);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(err.retryAfterMs, 2000);
  });
});

describe('backoff', () => {
  test('grows exponentially, keeps at least half of each step, and is capped', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    assert.equal(
      backoffDelayMs(1, policy, () => 0),
      50,
    );
    assert.equal(
      backoffDelayMs(1, policy, () => 1),
      100,
    );
    assert.equal(
      backoffDelayMs(3, policy, () => 0),
      200,
    );
    assert.equal(
      backoffDelayMs(3, policy, () => 1),
      400,
    );
    assert.equal(
      backoffDelayMs(10, policy, () => 1),
      1000,
    );
    assert.equal(
      backoffDelayMs(10, policy, () => 0),
      500,
    );
  });

  test('jitter spreads the delays of one step', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, { baseMs: 100, maxMs: 10_000 })));
    assert.ok(seen.size > 10);
    for (const d of seen) assert.ok(d >= 400 && d <= 800);
  });

  test('withRetry retries transient failures with growing delays, then gives up with the last error', async () => {
    const delays: number[] = [];
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw http(503);
      },
      { attempts: 4, baseMs: 10, maxMs: 1000 },
      { sleep: async (ms) => void delays.push(ms), random: () => 1 },
    ).catch((e: unknown) => e);
    assert.equal(calls, 4);
    assert.deepEqual(delays, [10, 20, 40]);
    assert.equal((err as HttpError).status, 503);
  });

  test('withRetry does not retry a 4xx', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw http(400, 'VALIDATION_ERROR');
        },
        { attempts: 5, baseMs: 1, maxMs: 1 },
      ),
    );
    assert.equal(calls, 1);
  });

  test('withRetry returns as soon as a try succeeds', async () => {
    let calls = 0;
    const r = await withRetry(
      async () => {
        if (++calls < 3) throw http(502);
        return 'ok';
      },
      { attempts: 5, baseMs: 1, maxMs: 1 },
    );
    assert.equal(r, 'ok');
    assert.equal(calls, 3);
  });
});
