// docs/api.md promises that its curl examples work: each section's ```sh block is run in bash against a live api (a
// vendor with a registered model, a fresh database) and its output checked against what the text says it prints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@neuronetiq/api';
import { createTestDatabase, type TestDatabase } from '@neuronetiq/db/testing';
import type { FastifyInstance } from 'fastify';
import { runText } from './support/run-text';

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(`${root}docs/api.md`, 'utf8');
const SERVICE_KEY = 'api-docs-test-service-key-0123456789abcdef';

/** The ```sh block of the `## <title>` section. */
function example(title: string): string {
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${title}\n`));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, `docs/api.md has a "## ${title}" section with a sh example`);
  return block;
}

let database: TestDatabase;
let app: FastifyInstance;
const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' };

before(async () => {
  database = await createTestDatabase('pglite');
  app = await buildApp({ db: database.db, serviceRoleKey: SERVICE_KEY });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const asService = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${SERVICE_KEY}` } });
  const owner = 'docs-reader';
  assert.equal((await asService('/api/models', { owner, model_id: 'my-model', name: 'My model' })).statusCode, 201);
  env.MP_API_KEY = (await asService('/api/keys', { owner, name: 'docs' })).json().data.key;
  env.MP_OWNER = owner;
  env.MP_API_URL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app?.close();
  await database?.close();
});

const run = (script: string) => runText('bash', ['-c', script], { env });

test('Authentication: GET /api/me with the vendor key says who it is', async () => {
  const r = await run(example('Authentication'));
  assert.equal(r.code, 0, r.out);
  const body = JSON.parse(r.out);
  assert.equal(body.data.kind, 'vendor');
  assert.equal(body.data.owner, 'docs-reader');
});

test('Idempotency: the same key and body is stored once, then replayed', async () => {
  const r = await run(example('Idempotency'));
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^204\nidempotent-replayed: true\r?\n$/i);
});

test('Contract versions: another minor version is refused with CONTRACT_VERSION_UNSUPPORTED', async () => {
  const r = await run(example('Contract versions'));
  const body = JSON.parse(r.out);
  assert.equal(body.error, 'CONTRACT_VERSION_UNSUPPORTED');
  assert.match(body.message, /0\.16\.x/);
});

test('Late signals: a signal for a closed bar is stored and flagged late', async () => {
  const r = await run(example('Late signals'));
  assert.equal(r.code, 0, r.out);
  const [status, json] = r.out.split('\n');
  assert.equal(status, '204');
  const body = JSON.parse(json as string);
  assert.equal(body.data.length, 1);
  assert.equal(body.data[0].late, true);
  assert.equal(body.data[0].decision, 'SELL');
});

test('Rate limits: every answer carries the x-ratelimit headers', async () => {
  const r = await run(example('Rate limits'));
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^x-ratelimit-limit: 1200\r?\nx-ratelimit-remaining: \d+\r?\nx-ratelimit-reset: \d+\r?\n$/i);
});

test('Limits of what is accepted: a bar_ts in 9999 is a 400 naming bar_ts', async () => {
  const r = await run(example('Limits of what is accepted'));
  assert.equal(r.code, 0, r.out);
  const body = JSON.parse(r.out);
  assert.equal(body.error, 'VALIDATION_ERROR');
  assert.match(body.message, /bar_ts: must be a time from 1900-01-01T00:00:00Z to 2100-12-31T23:59:59Z/);
  assert.equal(body.details[0].path, 'bar_ts');
});
