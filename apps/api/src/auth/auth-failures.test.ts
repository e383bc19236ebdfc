import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createVendor, describeEachBackend, SERVICE_KEY } from '../test-helpers';

const BAD = { authorization: 'Bearer not-a-real-token' };
const MIB = 1024 * 1024;

describeEachBackend(
  'failed authentication, per client address',
  (ctx) => {
    const me = (remoteAddress: string, headers: Record<string, string> = BAD) =>
      ctx().inject({ method: 'GET', url: '/api/me', headers, remoteAddress });

    test('past 5 failures a minute the address gets 429 with Retry-After, whatever it sends; others and the service key do not', async () => {
      const vendor = await createVendor(ctx());
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await me('10.0.0.1')).statusCode);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      const blocked = await me('10.0.0.1', vendor.auth);
      assert.equal(blocked.statusCode, 429, 'valid credentials from that address wait too');
      assert.equal(blocked.json().error, 'RATE_LIMITED');
      assert.match(blocked.json().message, /failed authentications/);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      // X-Forwarded-For is not believed without TRUST_PROXY: writing it does not make a new address.
      assert.equal((await me('10.0.0.1', { ...BAD, 'x-forwarded-for': '198.51.100.1' })).statusCode, 429);
      assert.equal((await me('10.0.0.1', { authorization: `Bearer ${SERVICE_KEY}` })).statusCode, 200);
      assert.equal((await me('10.0.0.2')).statusCode, 401);
      assert.equal((await me('10.0.0.2', vendor.auth)).statusCode, 200);
      // The window is a minute of the api's clock.
      const start = ctx().clock.now;
      try {
        ctx().clock.now = start + 61_000;
        assert.equal((await me('10.0.0.1', vendor.auth)).statusCode, 200);
      } finally {
        ctx().clock.now = start;
      }
    });

    test('a request without valid credentials is answered 401 before its body is parsed', async () => {
      const nested = '['.repeat(MIB - 16);
      for (const headers of [{}, BAD]) {
        const res = await ctx().inject({
          method: 'POST',
          url: '/api/signals/batch',
          headers: { ...headers, 'content-type': 'application/json' },
          payload: nested,
          remoteAddress: '10.0.1.1',
        });
        assert.equal(res.statusCode, 401, res.body);
      }
    });

    test('over a socket: the 401 arrives while the anonymous body is still being sent (it is never read)', async () => {
      await ctx().app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = ctx().app.server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/signals/batch',
          headers: { 'content-type': 'application/json', 'content-length': String(MIB) },
        });
        const timer = setTimeout(() => {
          req.destroy();
          reject(new Error('no answer while the body was unfinished: the server waited to read it'));
        }, 10_000);
        req.on('response', (res) => {
          clearTimeout(timer);
          res.resume();
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        // A quarter of the promised body, then nothing: the answer must not wait for the rest.
        req.write('['.repeat(MIB / 4));
      });
      assert.equal(status, 401);
    });
  },
  { authFailuresPerMinute: 5 },
);

describeEachBackend(
  'failed authentication behind a trusted proxy (TRUST_PROXY=10.9.0.0/16)',
  (ctx) => {
    test("the client address is the one the proxy appended to X-Forwarded-For, not the proxy's or the client's claim", async () => {
      const via = (xff: string) =>
        ctx().inject({
          method: 'GET',
          url: '/api/me',
          headers: { ...BAD, 'x-forwarded-for': xff },
          remoteAddress: '10.9.0.1',
        });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await via(`192.0.2.${i}, 203.0.113.7`)).statusCode);
      assert.deepEqual(statuses, [401, 401, 401, 429], 'a spoofed first entry does not make a new address');
      assert.equal((await via('203.0.113.8')).statusCode, 401, 'another client behind the same proxy is not blocked');
    });
  },
  { authFailuresPerMinute: 3, trustProxy: ['10.9.0.0/16'] },
);
