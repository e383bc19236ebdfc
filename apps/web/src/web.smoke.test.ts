// The built web app as `npm start` serves it, on each database: the api on the same database, `next start` of the
// one cached build. Anonymous visitors see the marketplace with a registered public model; the development sign-in
// gives a session (httpOnly, SameSite=Lax) that the dashboard verifies and uses to call the api as that user; the
// profile endpoint that would let a user rename their owner answers 404; other hosts are redirected to WEB_URL.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '@neuronetiq/api';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import type { FastifyInstance } from 'fastify';
import { ensureWebBuild, type RunningWeb, startWeb } from '../scripts/build';

const SERVICE_KEY = 'web-smoke-service-key-0123456789abcdef0123';
const JWT_SECRET = 'web-smoke-jwt-secret-0123456789abcdef01234';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

for (const backend of testBackends()) {
  describe(`web app (next start) on ${backend}`, () => {
    let t: TestDatabase;
    let api: FastifyInstance;
    let web: RunningWeb;
    let origin: string;
    const owner = `vendor${process.pid}${backend === 'pglite' ? 'a' : 'b'}`;
    const modelName = `Smoke momentum ${backend}`;

    before(async () => {
      await ensureWebBuild();
      t = await createTestDatabase(backend);
      api = await buildApp({ db: t.db, serviceRoleKey: SERVICE_KEY, jwtSecret: JWT_SECRET });
      const apiUrl = await api.listen({ port: 0, host: '127.0.0.1' });
      const registered = await fetch(`${apiUrl}/api/models`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ owner, model_id: 'smoke-momentum', name: modelName, visibility: 'public' }),
      });
      assert.equal(registered.status, 201, await registered.text());
      const port = await freePort();
      origin = `http://localhost:${port}`;
      web = await startWeb({
        port,
        env: {
          WEB_URL: origin,
          INFRA_API_URL: apiUrl,
          DATABASE_URL: t.url,
          SERVICE_ROLE_KEY: SERVICE_KEY,
          SUPABASE_JWT_SECRET: JWT_SECRET,
          BETTER_AUTH_SECRET: 'web-smoke-session-secret-0123456789abcdef',
          AUTH_DEV_LOGIN: 'true',
        },
      });
    });
    after(async () => {
      await web?.stop();
      await api?.close();
      await t?.close();
    });

    test('an anonymous visitor gets the marketplace with the registered public model and its vendor', async () => {
      const res = await fetch(`${origin}/marketplace`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /Signal marketplace/);
      assert.ok(html.includes(modelName), 'lists the model');
      assert.ok(html.includes(`/marketplace/models/${owner}/smoke-momentum`), 'links its page');
      assert.match(html, /data-testid="dev-login-banner"/, 'shows the development sign-in banner');
    });

    test('the dashboard redirects a visitor without a session to the sign-in page', async () => {
      const res = await fetch(`${origin}/marketplace/vendor`, { redirect: 'manual' });
      assert.ok([303, 307].includes(res.status), `status ${res.status}`);
      const location = new URL(res.headers.get('location') ?? '', origin);
      assert.equal(location.toString(), `${origin}/marketplace/login?next=%2Fmarketplace%2Fvendor`);
    });

    test('the development sign-in sets an httpOnly SameSite=Lax session the dashboard accepts; /update-user is 404', async () => {
      const login = `dev${process.pid}${backend.slice(0, 2)}`;
      const res = await fetch(`${origin}/api/auth/dev/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ login }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const { owner: assigned } = (await res.json()) as { owner: string };
      assert.equal(assigned, login.toLowerCase());
      const setCookie = res.headers.getSetCookie();
      const session = setCookie.find((c) => c.startsWith('nq.session_token='));
      assert.ok(session, `a session cookie among ${setCookie.join(' | ')}`);
      assert.match(session, /HttpOnly/i);
      assert.match(session, /SameSite=Lax/i);
      const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');

      const dashboard = await fetch(`${origin}/marketplace/vendor`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(dashboard.status, 200);
      const html = await dashboard.text();
      assert.match(html, new RegExp(`data-testid="dashboard-owner">${assigned}<`));

      const rename = await fetch(`${origin}/api/auth/update-user`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, cookie },
        body: JSON.stringify({ owner: 'someone-else', name: 'x' }),
      });
      assert.equal(rename.status, 404);
      const again = await fetch(`${origin}/marketplace/vendor`, { headers: { cookie } });
      assert.match(await again.text(), new RegExp(`data-testid="dashboard-owner">${assigned}<`));
    });

    test('a request for another host name of the server is redirected to WEB_URL', async () => {
      const res = await fetch(`${web.url}/marketplace?q=x`, { redirect: 'manual' });
      assert.equal(res.status, 308);
      assert.equal(res.headers.get('location'), `${origin}/marketplace?q=x`);
      assert.equal((await fetch(`${web.url}/health`)).status, 200, '/health answers on any host');
    });
  });
}
