// Property over GET /api/stream, which answers a valid request with an event stream that never ends (inject cannot
// end it, so hostile-input.fuzz.test.ts leaves it out): opened on a real loopback server with hostile query strings
// and headers as each principal, the answer is never a 5xx; a refusal is a 4xx in the contracts' error shape, an
// accepted request an event stream (its status line and headers are read, then the socket is dropped).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ErrorResponseSchema } from '@neuronetiq/contracts';
import fc from 'fast-check';
import { encodeAny, headerSafe, hostileString } from '../hostile-values';
import { createUser, createVendor, describeEachBackend, SERVICE_KEY, uniqueSlug } from '../test-helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40) * 2;
const SEED = 20261206;

/** GET `path` on a real socket: the status line and body of a refusal, or the status of a stream (then aborted). */
function openStream(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, method: 'GET' }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '');
      if (status === 200) {
        // The event stream never ends: its status line and headers are the answer; the socket is dropped.
        req.destroy();
        resolve({ status, contentType, body: '' });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status, contentType, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to GET ${path} in 10 s`)));
    req.end();
  });
}

describeEachBackend(
  'hostile requests to GET /api/stream on a real server (fast-check)',
  (ctx) => {
    test('no hostile query or header gets a 5xx: a refusal is a 4xx in the error shape, an accepted one an event stream', async (t) => {
      const vendor = await createVendor(ctx());
      const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('fuzzs') });
      const principals: Record<string, Record<string, string>> = {
        service: { authorization: `Bearer ${SERVICE_KEY}` },
        vendor: vendor.auth,
        user: user.auth,
        anonymous: {},
      };
      await ctx().app.listen({ host: '127.0.0.1', port: 0 });
      const port = (ctx().app.server.address() as AddressInfo).port;
      const doc = (await ctx().inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, { get?: { parameters?: { in: string; name: string }[] } }>;
      };
      const params = doc.paths['/api/stream']?.get?.parameters;
      assert.ok(params, 'GET /api/stream is in the document');
      const queryNames = [...params.filter((p) => p.in === 'query').map((p) => p.name), 'from', 'owner', 'limit', 'x'];
      const cases = fc.record({
        principal: fc.constantFrom('service', 'vendor', 'user', 'anonymous'),
        query: fc.dictionary(fc.constantFrom(...queryNames), hostileString, { maxKeys: 3 }),
        header: fc.option(
          fc.record({
            name: fc.constantFrom('last-event-id', 'x-contracts-version', 'x-request-id', 'accept', 'idempotency-key'),
            value: hostileString,
          }),
          { nil: undefined },
        ),
      });
      const statuses = new Map<number, number>();
      let total = 0;
      await fc.assert(
        fc.asyncProperty(cases, async ({ principal, query, header }) => {
          total += 1;
          const qs = Object.entries(query)
            .map(([k, v]) => `${k}=${encodeAny(v)}`)
            .join('&');
          const path = `/api/stream${qs ? `?${qs}` : ''}`;
          const headers = { ...principals[principal], ...(header ? { [header.name]: headerSafe(header.value) } : {}) };
          const res = await openStream(port, path, headers);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const what = `GET ${path.slice(0, 300)} as ${principal} ${JSON.stringify(header)?.slice(0, 200)}`;
          assert.ok(res.status < 500, `${what} → ${res.status} ${res.body}`);
          if (res.status === 200) assert.match(res.contentType, /^text\/event-stream/, what);
          else {
            assert.ok(res.status >= 400, `${what} → ${res.status}`);
            const body = ErrorResponseSchema.safeParse(JSON.parse(res.body));
            assert.ok(body.success, `${what} → ${res.status} not in the error shape: ${res.body}`);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      t.diagnostic(`GET /api/stream [${ctx().backend}]: ${total} hostile cases [${byStatus.join(' ')}]`);
      assert.ok((statuses.get(200) ?? 0) > 0, 'some cases were accepted and opened a stream');
      assert.ok(
        [...statuses.keys()].some((s) => s >= 400),
        'some cases were refused',
      );
    });
  },
  { rateLimitPerMinute: 1_000_000 },
);
