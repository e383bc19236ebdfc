// The OpenAPI document is generated from the routes' declared schemas; this compares it with the route tree Fastify
// really serves: every route is documented with its methods and statuses, and nothing documented is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachBackend } from './test-helpers';

/** method + path of every route, read from Fastify's route tree (`:id` written as OpenAPI's `{id}`). */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] as string).length / 4;
    stack.length = depth;
    const parent = stack.join('');
    const path = `${parent}${m[2]}`;
    stack.push(m[2] as string);
    for (const method of (m[3] as string).split(', ')) out.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return out;
}

// Served but deliberately not API operations: the document and its UI, HEAD twins of GETs, CORS pre-flight.
const isApiOperation = (route: string) => {
  const [method, path] = route.split(' ') as [string, string];
  return method !== 'HEAD' && method !== 'OPTIONS' && path !== '/openapi.json' && !path.startsWith('/docs');
};

describeEachBackend('OpenAPI coverage', (ctx) => {
  test('every route the api serves is in /openapi.json with its method, and every documented one is served', async () => {
    const { app } = ctx();
    const served = servedRoutes(app.printRoutes({ commonPrefix: false }))
      .filter(isApiOperation)
      .sort();
    assert.ok(served.includes('POST /api/signals/store'), `the route tree was read: ${served.join(', ')}`);
    assert.ok(served.includes('DELETE /api/keys/{id}'));

    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
          .map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    assert.deepEqual(
      served.filter((r) => !documented.includes(r)),
      [],
      'served but not documented',
    );
    assert.deepEqual(
      documented.filter((r) => !served.includes(r)),
      [],
      'documented but not served',
    );
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries(item)) {
        const statuses = Object.keys(operation.responses ?? {});
        const route = `${method.toUpperCase()} ${path}`;
        assert.ok(
          statuses.some((s) => s.startsWith('2')),
          `${route} declares its success status: ${statuses.join(', ')}`,
        );
        for (const status of ['400', '429', '500']) {
          assert.ok(statuses.includes(status), `${route} declares ${status}: ${statuses.join(', ')}`);
        }
      }
    }
  });
});
