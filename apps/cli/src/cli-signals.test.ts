// The real mp (built as published) against the real api on each database backend: models, single pushes,
// lists, track records and the Python starter, as tables for people and --json for scripts (volume: cli-data.test.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelSchema, RevenueStatementSchema, StoredSignalSchema, TrackRecordSchema } from '@neuronetiq/contracts';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { z } from 'zod';
import {
  type Api,
  buildMp,
  createGithubUser,
  iso,
  loginWithNewKey,
  MIN,
  type MpRunner,
  mpRunner,
  oneSentence,
  openBar,
  SERVICE_KEY,
  startApi,
} from './test-support';

let mpPath: string;
before(async () => {
  mpPath = await buildMp();
});

for (const backend of testBackends()) {
  describe(`mp models, signals, lists and init against the api [${backend}]`, () => {
    let database: TestDatabase;
    let api: Api;
    let mp: MpRunner;
    let user: Awaited<ReturnType<typeof createGithubUser>>;

    before(async () => {
      database = await createTestDatabase(backend);
      api = await startApi(database.db);
      mp = mpRunner(mpPath, api.url);
      user = await createGithubUser(database.db);
      await loginWithNewKey(mp, api.url, user.token);
    });
    after(async () => {
      await api?.close();
      await database?.close();
    });

    test('models create, list and show; a duplicate id is a one-sentence 409-style failure', async () => {
      const created = await mp.run([
        'models',
        'create',
        'rsi-starter',
        '--name',
        'RSI starter',
        '--description',
        'RSI(14)',
      ]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, new RegExp(`Registered ${user.login}/rsi-starter \\(public\\)`));
      const list = await mp.run(['models', 'list', '--mine', '--json']);
      const models = z.array(ModelSchema).parse(JSON.parse(list.stdout));
      assert.deepEqual(
        models.map((m) => m.model_id),
        ['rsi-starter'],
      );
      const table = await mp.run(['models', 'list', '--mine']);
      assert.match(table.stdout, /^OWNER\s+MODEL\s+NAME\s+VISIBILITY\s+CREATED\n/);
      assert.match(table.stdout, /rsi-starter\s+RSI starter\s+public/);
      const show = await mp.run(['models', 'show', 'rsi-starter']);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /RSI\(14\)/);
      const again = await mp.run(['models', 'create', 'rsi-starter', '--name', 'again']);
      assert.equal(again.code, 1);
      oneSentence(again.stderr);
      const missing = await mp.run(['models', 'show', 'nope']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no model "nope".*`mp models list`/);
    });

    test('signals push stores one signal for the bar in progress, and signals list shows it', async () => {
      const r = await mp.run([
        'signals',
        'push',
        '--model',
        'rsi-starter',
        '--symbol',
        'EURUSD',
        '--tf',
        '1m',
        '--decision',
        'BUY',
        '--confidence',
        '0.8',
        '--meta',
        '{"rsi":28.1}',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const bar = openBar().toISOString();
      assert.match(r.stdout, new RegExp(`BUY EURUSD 1m at 0.8 for the bar of ${bar.replace(/\./g, '\\.')}`));
      const list = await mp.run(['signals', 'list', '--model', 'rsi-starter', '--json']);
      const signals = z.array(StoredSignalSchema).parse(JSON.parse(list.stdout));
      assert.equal(signals.length, 1);
      assert.equal(signals[0]?.bar_ts, bar);
      assert.deepEqual(signals[0]?.meta, { rsi: 28.1 });
      const unregistered = await mp.run([
        'signals',
        'push',
        '--model',
        'not-mine',
        '--symbol',
        'EURUSD',
        '--tf',
        '1m',
        '--decision',
        'SELL',
        '--confidence',
        '0.3',
      ]);
      assert.equal(unregistered.code, 1);
      oneSentence(unregistered.stderr);
      assert.match(unregistered.stderr, /not-mine/);
      const badMeta = await mp.run([
        'signals',
        'push',
        '--model',
        'rsi-starter',
        '--symbol',
        'EURUSD',
        '--tf',
        '1m',
        '--decision',
        'SELL',
        '--confidence',
        '0.3',
        '--meta',
        '[1',
      ]);
      assert.equal(badMeta.code, 2);
    });

    test('consensus list and performance answer tables and JSON in the contracts shapes, and an empty record says why', async () => {
      const consensus = await mp.run(['consensus', 'list', '--json']);
      assert.equal(consensus.code, 0, consensus.stderr);
      assert.ok(Array.isArray(JSON.parse(consensus.stdout)));
      const perf = await mp.run(['performance', 'rsi-starter', '--json']);
      assert.equal(perf.code, 0, perf.stderr);
      z.array(TrackRecordSchema).parse(JSON.parse(perf.stdout));
      const table = await mp.run(['performance']);
      assert.equal(table.code, 0);
      const none = await mp.run(['performance', 'no-such-model']);
      assert.equal(none.code, 0, none.stderr);
      assert.match(none.stdout, /no scored signals you can see yet.*after the platform's delay unless you subscribe/);
      const statement = await mp.run(['revenue', '--month', '2026-01', '--json']);
      assert.equal(statement.code, 0, statement.stderr);
      const s = RevenueStatementSchema.extend({ closed: z.boolean() }).parse(JSON.parse(statement.stdout));
      assert.deepEqual([s.month, s.closed, s.gross_pence, s.lines], ['2026-01', true, 0, []]);
      const csv = await mp.run(['revenue', '--month', '2026-01', '--csv']);
      assert.equal(csv.code, 0, csv.stderr);
      assert.match(csv.stdout, /\r\ntotal,2026-01,,,,,0,0,0\r\n$/);
      assert.equal((await mp.run(['revenue', '--month', '2026-01', '--csv'])).stdout, csv.stdout, 'byte for byte');
      const people = await mp.run(['revenue', '--month', '2026-01']);
      assert.match(people.stdout, /closed \(final\)[\s\S]*no subscribers in this month/);
      const bad = await mp.run(['revenue', '--month', '2026-13']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /--month must be YYYY-MM/);
    });

    test('mp init --python writes one stdlib-only file that pushes a signal against the configured api', async () => {
      const dir = join(mp.configHome, 'py-model');
      const init = await mp.run(['init', dir, '--python', '--model', 'rsi-starter', '--symbol', 'EURUSD']);
      assert.equal(init.code, 0, init.stderr);
      const source = readFileSync(join(dir, 'model.py'), 'utf8');
      const imports = [...source.matchAll(/^import (\S+)|^from (\S+) import/gm)].map((m) => m[1] ?? m[2]);
      const stdlib = new Set([
        'datetime',
        'hashlib',
        'json',
        'os',
        'sys',
        'time',
        'urllib.error',
        'urllib.parse',
        'urllib.request',
      ]);
      assert.ok(
        imports.length > 3 && imports.every((m) => stdlib.has(m as string)),
        `standard library only: ${imports}`,
      );
      // Bars for RSI(14) to read: the last hour of EURUSD 1m.
      const now = openBar().getTime();
      const bars = Array.from({ length: 60 }, (_, i) => {
        const close = 1.1 + Math.sin(i / 5) / 100;
        return {
          symbol: 'EURUSD',
          timeframe: '1m',
          bar_ts: iso(now - (60 - i) * MIN),
          open: close,
          high: close + 0.001,
          low: close - 0.001,
          close,
          volume: 1,
        };
      });
      const upsert = await fetch(`${api.url}/api/marketdata/ohlcv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bars }),
      });
      assert.equal(upsert.status, 200, await upsert.text());
      const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('python3', ['model.py', '--once'], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: mp.configHome, XDG_CONFIG_HOME: mp.configHome },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /EURUSD 1m (BUY|SELL|NEUTRAL) /);
      const list = z
        .array(StoredSignalSchema)
        .parse(
          JSON.parse(
            (await mp.run(['signals', 'list', '--model', 'rsi-starter', '--symbol', 'EURUSD', '--json'])).stdout,
          ),
        );
      assert.ok(
        list.some((s) => s.meta.period === 14),
        'the Python model stored its signal',
      );

      const ts = await mp.run(['init', join(mp.configHome, 'ts-model')]);
      assert.equal(ts.code, 0, ts.stderr);
      const pkg = JSON.parse(readFileSync(join(mp.configHome, 'ts-model', 'package.json'), 'utf8'));
      assert.equal(pkg.scripts.start, 'tsx src/model.ts');
      assert.ok(pkg.dependencies['@neuronetiq/indicators']);
      const notEmpty = await mp.run(['init', dir]);
      assert.equal(notEmpty.code, 1);
      assert.match(notEmpty.stderr, /not empty/);
    });
  });
}
