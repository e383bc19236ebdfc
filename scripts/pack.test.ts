// The packages an outsider installs, exactly as they would: `npm run pack`'s tarballs installed with plain npm into a
// project outside the repository with a plain `npm install` (their registry dependencies, zod and pino, resolved by the
// registry as for anyone: no --prefer-offline, which could pass on a cache holding a version the registry lacks), used
// from plain Node.js
// and type-checked with NodeNext resolution; mp installed globally from its tarball; and the TypeScript starter of
// `mp init` installed and run against a real api.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@neuronetiq/api';
import { createTestDatabase, type TestDatabase } from '@neuronetiq/db/testing';
import { rsi } from '@neuronetiq/indicators';
import type { FastifyInstance } from 'fastify';
import { runText } from './support/run-text';

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVICE_KEY = 'pack-test-service-key-0123456789abcdef0123';
const work = mkdtempSync(join(tmpdir(), 'nq-pack-'));

const sh = (cmd: string, args: string[], o: { cwd: string; env?: Record<string, string> }) =>
  runText(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env } });
const npm = (args: string[], cwd: string, env?: Record<string, string>) =>
  sh('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    ...(env ? { env } : {}),
  });

let tarballs: Record<string, string>;
let database: TestDatabase;
let app: FastifyInstance;
let apiUrl: string;

before(async () => {
  // @ts-expect-error: an .mjs script without declarations
  const { packAll } = (await import('./pack.mjs')) as { packAll(dest: string): Promise<Record<string, string>> };
  tarballs = await packAll(join(work, 'tarballs'));
  database = await createTestDatabase('pglite');
  app = await buildApp({ db: database.db, serviceRoleKey: SERVICE_KEY });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app?.close();
  await database?.close();
});

test('npm run pack gives the four tarballs, each with built JavaScript and (libraries) declarations', () => {
  assert.deepEqual(Object.keys(tarballs).sort(), [
    '@neuronetiq/client',
    '@neuronetiq/contracts',
    '@neuronetiq/indicators',
    'mp',
  ]);
  assert.match(tarballs.mp as string, /mp-0\.2\.1\.tgz$/);
  assert.match(tarballs['@neuronetiq/contracts'] as string, /neuronetiq-contracts-0\.16\.4\.tgz$/);
});

test('a project outside the repository installs the library tarballs and uses them from plain Node.js and NodeNext TypeScript', async () => {
  const project = join(work, 'outsider');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'outsider', private: true, type: 'module' }));
  const install = await npm(
    [
      'install',
      tarballs['@neuronetiq/contracts'],
      tarballs['@neuronetiq/indicators'],
      tarballs['@neuronetiq/client'],
    ] as string[],
    project,
  );
  assert.equal(install.code, 0, install.out);
  writeFileSync(
    join(project, 'index.mjs'),
    `import { SignalPayloadSchema, CONTRACTS_VERSION } from '@neuronetiq/contracts';
import { rsi } from '@neuronetiq/indicators';
import { createVendorClient } from '@neuronetiq/client';
const signal = SignalPayloadSchema.parse({ owner: 'ada', model_id: 'm', symbol: 'EURUSD', timeframe: '1m',
  bar_ts: '2026-01-05T12:00:00Z', decision: 'BUY', confidence: 0.5 });
const values = rsi([1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9, 8], 14);
const probe = await createVendorClient({ baseUrl: process.argv[2] }).probe();
console.log(JSON.stringify({ version: CONTRACTS_VERSION, bar: signal.bar_ts, rsi: values[15], probe }));
`,
  );
  const run = await sh(process.execPath, ['index.mjs', apiUrl], { cwd: project });
  assert.equal(run.code, 0, run.out);
  assert.deepEqual(JSON.parse(run.out), {
    version: '0.16.4',
    bar: '2026-01-05T12:00:00.000Z',
    // The built package computes what the sources do.
    rsi: rsi([1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9, 8], 14)[15],
    probe: { ok: true, status: 200, contractsVersion: '0.16.4' },
  });

  writeFileSync(
    join(project, 'index.ts'),
    `import { type SignalPayload, SignalPayloadSchema } from '@neuronetiq/contracts';
import { RsiStream } from '@neuronetiq/indicators';
import { createVendorClient, type VendorClient } from '@neuronetiq/client';
const s: SignalPayload = SignalPayloadSchema.parse({});
const r: number = new RsiStream(14).update(1) ?? 0;
const c: VendorClient = createVendorClient({ baseUrl: 'http://x' });
// @ts-expect-error: the declarations are precise enough to catch a wrong field
const wrong: SignalPayload = { ...s, decision: 'HOLD' };
export { c, r, wrong };
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ['index.ts'],
    }),
  );
  const tsc = await sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
    cwd: project,
  });
  assert.equal(tsc.code, 0, tsc.out);
});

test('npm install -g (and npx) of the mp tarball gives a working mp, whose TypeScript starter installs and runs against the api', async () => {
  const prefix = join(work, 'global');
  const global = await npm(['install', '-g', '--prefix', prefix, tarballs.mp as string], work);
  assert.equal(global.code, 0, global.out);
  const mp = join(prefix, 'bin', 'mp');
  const version = await sh(mp, ['--version'], { cwd: work });
  assert.equal(version.out.trim(), '0.2.1');
  const npx = await sh('npx', ['--yes', `--package=${tarballs.mp}`, 'mp', '--version'], {
    cwd: work,
  });
  assert.equal(npx.out.trim(), '0.2.1', 'npx runs it without installing it');

  // A vendor with a registered model and bars to compute RSI on.
  const owner = 'pack-vendor';
  const asService = (method: string, url: string, payload: unknown) =>
    app.inject({
      method: method as 'POST',
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${SERVICE_KEY}` },
    });
  assert.equal(
    (await asService('POST', '/api/models', { owner, model_id: 'starter', name: 'Starter' })).statusCode,
    201,
  );
  const key = (await asService('POST', '/api/keys', { owner, name: 'pack test' })).json().data.key as string;
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const bars = Array.from({ length: 60 }, (_, i) => {
    const close = 1.1 + Math.sin(i / 5) / 100;
    return {
      symbol: 'EURUSD',
      timeframe: '1m',
      bar_ts: new Date(now - (60 - i) * 60_000).toISOString(),
      open: close,
      high: close + 0.001,
      low: close - 0.001,
      close,
      volume: 1,
    };
  });
  assert.equal((await asService('POST', '/api/marketdata/ohlcv', { bars })).statusCode, 200);

  const env = { MP_API_URL: apiUrl, MP_API_KEY: key, XDG_CONFIG_HOME: join(work, 'xdg') };
  const init = await sh(mp, ['init', 'starter'], { cwd: work, env });
  assert.equal(init.code, 0, init.out);
  const pkg = JSON.parse(readFileSync(join(work, 'starter', 'package.json'), 'utf8'));
  assert.match(pkg.dependencies['@neuronetiq/indicators'], /^file:vendor\/neuronetiq-indicators-0\.1\.0\.tgz$/);
  const install = await npm(['install'], join(work, 'starter'));
  assert.equal(install.code, 0, install.out);
  const typecheck = await sh('npm', ['run', 'typecheck'], { cwd: join(work, 'starter') });
  assert.equal(typecheck.code, 0, typecheck.out);
  const start = await sh('npm', ['start', '--', '--once'], { cwd: join(work, 'starter'), env });
  assert.equal(start.code, 0, start.out);
  assert.match(start.out, /EURUSD 1m (BUY|SELL|NEUTRAL) [\d.]+ \(RSI [\d.]+\)/);
  const stored = await app.inject({
    method: 'GET',
    url: '/api/signals?model_id=starter',
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(stored.json().data.length, 1);
  assert.equal(stored.json().data[0].bar_ts, new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString());
});
