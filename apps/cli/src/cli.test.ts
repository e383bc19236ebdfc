// The real mp (built as published) against the real api on each database backend: every command, the conventions
// (exit codes 0/1/2, --json, one-sentence errors, config mode 0600) and the device login end to end.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ErrorResponseSchema,
  MeSchema,
  ModelSchema,
  StoredSignalSchema,
  TrackRecordSchema,
} from '@neuronetiq/contracts';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { z } from 'zod';
import {
  type Api,
  buildMp,
  createGithubUser,
  loginThroughDeviceFlow,
  type MpRunner,
  mpRunner,
  SERVICE_KEY,
  startApi,
} from './test-support';

const MIN = 60_000;
const openBar = () => new Date(Math.floor(Date.now() / MIN) * MIN);
const iso = (ms: number) => new Date(ms).toISOString();
const oneSentence = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${stderr}`);
  assert.match(lines[0] as string, /^mp: \S.*\S$/, stderr);
  assert.ok(!/^\s+at \S/m.test(stderr), 'no stack trace');
};

let mpPath: string;
before(async () => {
  mpPath = await buildMp();
});

test('mp --version prints 0.2.1, and --help of every command lists its options with an example', async () => {
  const mp = mpRunner(mpPath, 'http://127.0.0.1:9');
  const version = await mp.run(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), '0.2.1');
  const help = await mp.run(['--help']);
  assert.equal(help.code, 0);
  const commands = [
    ['login'],
    ['logout'],
    ['whoami'],
    ['doctor'],
    ['models', 'list'],
    ['models', 'create'],
    ['models', 'show'],
    ['signals', 'push'],
    ['signals', 'list'],
    ['consensus', 'list'],
    ['ohlcv', 'get'],
    ['performance'],
    ['init'],
    ['completion'],
  ];
  for (const c of commands) {
    assert.ok(help.stdout.includes(`  ${c[0]}`), `mp --help lists ${c[0]}`);
    const sub = await mp.run([...c, '--help']);
    assert.equal(sub.code, 0, c.join(' '));
    assert.match(sub.stdout, /Examples:\n {2}\$ .*\bmp /, `mp ${c.join(' ')} --help has an example`);
  }
  const push = await mp.run(['signals', 'push', '--help']);
  for (const o of ['--model', '--symbol', '--tf', '--decision', '--confidence', '--bar-ts', '--meta', '--file']) {
    assert.ok(push.stdout.includes(o), `signals push --help shows ${o}`);
  }
});

test('usage mistakes exit 2 and name the mistake; a failure exits 1 with one sentence that says what to do', async () => {
  const mp = mpRunner(mpPath, 'http://127.0.0.1:9');
  for (const args of [
    ['frobnicate'],
    ['signals', 'push', '--model', 'm', '--symbol', 'EURUSD', '--tf', '7m', '--decision', 'BUY', '--confidence', '0.5'],
    [
      'signals',
      'push',
      '--model',
      'm',
      '--symbol',
      'EURUSD',
      '--tf',
      '1m',
      '--decision',
      'HOLD',
      '--confidence',
      '0.5',
    ],
    ['signals', 'push', '--model', 'm', '--symbol', 'EURUSD', '--tf', '1m', '--decision', 'BUY', '--confidence', '1.5'],
    ['signals', 'push', '--model', 'm', '--symbol', 'eurusd', '--tf', '1m', '--decision', 'BUY', '--confidence', '0.5'],
    ['signals', 'push', '--model', 'm'],
    ['ohlcv', 'get', '--symbol', 'EURUSD'],
    ['signals', 'list', '--limit', '0'],
    ['signals', 'list', '--from', '2026-01-05 12:00'],
    ['--api-url', 'ftp://x', 'whoami'],
    ['completion', 'powershell'],
  ]) {
    const r = await mp.run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0, `${args.join(' ')} explains itself`);
  }
  const badEnv = await mp.run(['whoami'], { env: { MP_API_URL: 'not a url' } });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /MP_API_URL must be an http\(s\) URL/);

  const notLoggedIn = await mp.run(['whoami']);
  assert.equal(notLoggedIn.code, 1);
  oneSentence(notLoggedIn.stderr);
  assert.match(notLoggedIn.stderr, /run `mp login`/);

  const unreachable = await mp.run(['models', 'list'], {
    env: { MP_API_KEY: `mp_${'a'.repeat(12)}_${'b'.repeat(43)}` },
  });
  assert.equal(unreachable.code, 1);
  oneSentence(unreachable.stderr);
  assert.match(unreachable.stderr, /cannot reach the api at http:\/\/127\.0\.0\.1:9; start the platform/);
});

test('mp completion bash is a valid bash script completing commands and options', async () => {
  const mp = mpRunner(mpPath, 'http://127.0.0.1:9');
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await mp.run(['completion', shell]);
    assert.equal(r.code, 0, shell);
    assert.match(r.stdout, /signals/);
  }
  const script = (await mp.run(['completion', 'bash'])).stdout;
  const complete = (line: string) => {
    const words = line.split(' ');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mp_complete; echo "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split(' ');
  };
  assert.deepEqual(complete('mp sig').sort(), ['signals']);
  assert.deepEqual(complete('mp signals p'), ['push']);
  assert.ok(complete('mp signals push --').includes('--confidence'));
});

for (const backend of testBackends()) {
  describe(`mp against the api [${backend}]`, () => {
    let database: TestDatabase;
    let api: Api;
    let mp: MpRunner;
    let user: Awaited<ReturnType<typeof createGithubUser>>;

    before(async () => {
      database = await createTestDatabase(backend);
      api = await startApi(database.db);
      mp = mpRunner(mpPath, api.url);
      user = await createGithubUser(database.db);
    });
    after(async () => {
      await api?.close();
      await database?.close();
    });

    test('mp login runs the device flow: the approved key is stored mode 0600 under XDG_CONFIG_HOME and whoami shows the owner', async () => {
      const { result, approvalStatus } = await loginThroughDeviceFlow(mp, api.url, user.token);
      assert.equal(approvalStatus, 200);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /First copy your one-time code: [A-Z]{4}-[A-Z]{4}/);
      assert.match(result.stdout, /\/cli\/authorize\?user_code=/);
      assert.match(result.stdout, new RegExp(`Logged in to ${api.url} as ${user.login}`));
      const file = join(mp.configHome, 'mp', 'config.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(mp.configHome, 'mp')).mode & 0o777, 0o700);
      const config = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(config.default_api_url, api.url);
      assert.equal(config.hosts[api.url].owner, user.login);
      assert.match(config.hosts[api.url].api_key, /^mp_[a-z0-9]{12}_/);

      const who = await mp.run(['whoami']);
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, new RegExp(`^${user.login} on ${api.url}`));
      const whoJson = await mp.run(['whoami', '--json']);
      const me = MeSchema.parse(JSON.parse(whoJson.stdout));
      assert.equal(me.kind === 'vendor' && me.owner, user.login);
      assert.ok(!who.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');

      const doctor = await mp.run(['doctor']);
      assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
      for (const check of ['config', 'api', 'contracts', 'credentials', 'database']) {
        assert.match(doctor.stdout, new RegExp(`✓ ${check}`));
      }
    });

    test('a stored key is only sent to the api that issued it: another --api-url is not logged in', async () => {
      const other = await mp.run(['whoami', '--api-url', 'http://127.0.0.1:9']);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /not logged in to http:\/\/127\.0\.0\.1:9/);
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

    test('signals push --file sends 1,004 rows in batches, reports bad rows by line, and a re-run only replays', async () => {
      const start = openBar().getTime() - 2000 * MIN;
      const lines = ['model_id,symbol,timeframe,bar_ts,decision,confidence,meta'];
      for (let i = 0; i < 1002; i++) {
        lines.push(
          `rsi-starter,BTCUSDT,1m,${iso(start + i * MIN)},${i % 2 ? 'BUY' : 'SELL'},0.${(i % 9) + 1},"{""i"":${i}}"`,
        );
      }
      lines.push(`rsi-starter,BTCUSDT,1m,${iso(start)},BUY,0.5,`); // line 1004: same bar as line 2
      lines.push('rsi-starter,BTCUSDT,1m,2026-01-05T12:00:30Z,BUY,0.5,'); // line 1005: not on a bar boundary
      lines.push('rsi-starter,BTCUSDT,1m,2026-01-05T12:00:00Z,BUY,7,'); // line 1006: confidence out of range
      const file = join(mp.configHome, 'signals.csv');
      writeFileSync(file, `${lines.join('\n')}\n`);

      const first = await mp.run(['signals', 'push', '--file', file, '--json']);
      assert.equal(first.code, 1, 'rejected rows make it a failure');
      const summary = JSON.parse(first.stdout);
      assert.equal(summary.rows, 1005);
      assert.equal(summary.accepted, 1002);
      assert.equal(summary.replayed, 0);
      assert.equal(summary.rejected, 3);
      assert.deepEqual(
        summary.rejections.map((r: { line: number }) => r.line),
        [1004, 1005, 1006],
      );
      assert.match(summary.rejections[0].reason, /same model, series and bar as line 2/);
      assert.match(summary.rejections[1].reason, /bar_ts/);
      assert.match(summary.rejections[2].reason, /confidence/);

      const second = await mp.run(['signals', 'push', '--file', file]);
      assert.equal(second.code, 1);
      assert.match(second.stdout, /1005 rows, 0 accepted, 1002 replayed \(already stored\), 3 rejected/);
      assert.match(second.stdout, /line 1005: bar_ts/);
      const stored = await database.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM ml.signals_latest WHERE model_id = 'rsi-starter' AND symbol = 'BTCUSDT'",
      );
      assert.equal(stored[0]?.n, 1002, 'nothing stored twice');

      const jsonl = join(mp.configHome, 'signals.jsonl');
      writeFileSync(
        jsonl,
        [
          JSON.stringify({
            model_id: 'rsi-starter',
            symbol: 'EURUSD',
            tf: '1m',
            bar_ts: iso(start),
            decision: 'NEUTRAL',
            confidence: 0.5,
          }),
          '{"model_id": "rsi-starter",',
          '',
          JSON.stringify({
            model_id: 'rsi-starter',
            symbol: 'EURUSD',
            timeframe: '1m',
            bar_ts: iso(start + MIN),
            decision: 'BUY',
            confidence: 0.5,
            owner: 'someone-else',
          }),
        ].join('\n'),
      );
      const third = await mp.run(['signals', 'push', '--file', jsonl, '--json']);
      const s3 = JSON.parse(third.stdout);
      assert.equal(s3.accepted, 1);
      assert.deepEqual(
        s3.rejections.map((r: { line: number }) => r.line),
        [2, 4],
      );
      assert.match(s3.rejections[0].reason, /not valid JSON/);
    });

    test('ohlcv get pages through more than one request of bars, oldest first, as CSV and JSON', async () => {
      const start = Date.parse('2026-01-01T00:00:00Z');
      const total = 6_200;
      for (let i = 0; i < total; i += 2_000) {
        const bars = Array.from({ length: Math.min(2_000, total - i) }, (_, j) => {
          const close = 1.1 + ((i + j) % 100) / 10_000;
          return {
            symbol: 'EURUSD',
            timeframe: '1m',
            bar_ts: iso(start + (i + j) * MIN),
            open: close,
            high: close + 0.001,
            low: close - 0.001,
            close,
            volume: 1,
          };
        });
        const res = await fetch(`${api.url}/api/marketdata/ohlcv`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ bars }),
        });
        assert.equal(res.status, 200, await res.text());
      }
      const csv = await mp.run([
        'ohlcv',
        'get',
        '--symbol',
        'EURUSD',
        '--tf',
        '1m',
        '--limit',
        '6000',
        '--to',
        iso(start + (total - 1) * MIN),
      ]);
      assert.equal(csv.code, 0, csv.stderr);
      const rows = csv.stdout.trim().split('\n');
      assert.equal(rows[0], 'bar_ts,open,high,low,close,volume');
      assert.equal(rows.length, 6001);
      assert.equal(rows[1]?.split(',')[0], iso(start + 200 * MIN), 'the newest 6000 of the range, oldest first');
      assert.equal(rows[6000]?.split(',')[0], iso(start + 6199 * MIN));
      const out = join(mp.configHome, 'bars.json');
      const json = await mp.run([
        'ohlcv',
        'get',
        '--symbol',
        'EURUSD',
        '--tf',
        '1m',
        '--from',
        iso(start),
        '--to',
        iso(start + 5_499 * MIN),
        '--limit',
        '100000',
        '--format',
        'json',
        '-o',
        out,
      ]);
      assert.equal(json.code, 0, json.stderr);
      const bars = JSON.parse(readFileSync(out, 'utf8')) as { bar_ts: string }[];
      assert.equal(bars.length, 5_500);
      assert.ok(
        bars.every((b, i) => b.bar_ts === iso(start + i * MIN)),
        'every bar once, in order',
      );
    });

    test('consensus list and performance answer tables and JSON in the contracts shapes', async () => {
      const consensus = await mp.run(['consensus', 'list', '--json']);
      assert.equal(consensus.code, 0, consensus.stderr);
      assert.ok(Array.isArray(JSON.parse(consensus.stdout)));
      const perf = await mp.run(['performance', 'rsi-starter', '--json']);
      assert.equal(perf.code, 0, perf.stderr);
      z.array(TrackRecordSchema).parse(JSON.parse(perf.stdout));
      const table = await mp.run(['performance']);
      assert.equal(table.code, 0);
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

    test('MP_API_KEY is used without a stored login; logout revokes the stored key at the api and forgets it', async () => {
      const config = JSON.parse(readFileSync(join(mp.configHome, 'mp', 'config.json'), 'utf8'));
      const key = config.hosts[api.url].api_key as string;
      const ci = mpRunner(mpPath, api.url);
      const who = await ci.run(['whoami'], { env: { MP_API_KEY: key } });
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, /from MP_API_KEY/);
      const ciLogout = await ci.run(['logout'], { env: { MP_API_KEY: key } });
      assert.equal(ciLogout.code, 1);
      assert.match(ciLogout.stderr, /MP_API_KEY.*unset it/);

      const out = await mp.run(['logout']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /revoked and forgotten/);
      const after = JSON.parse(readFileSync(join(mp.configHome, 'mp', 'config.json'), 'utf8'));
      assert.deepEqual(after.hosts, {});
      const me = await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(me.status, 401, 'the api refuses the revoked key');
      ErrorResponseSchema.parse(await me.json());
      const doctor = await mp.run(['doctor']);
      assert.equal(doctor.code, 1);
      assert.match(doctor.stdout, /✗ credentials\s+no API key\n\s+fix: run `mp login`/);
    });

    test('mp login --api-key stores a key after checking it; doctor flags a config others can read', async () => {
      const res = await fetch(`${api.url}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ci' }),
      });
      const key = ((await res.json()) as { data: { key: string } }).data.key;
      const bad = await mp.run(['login', '--api-key', `mp_${'a'.repeat(12)}_${'b'.repeat(43)}`]);
      assert.equal(bad.code, 1);
      oneSentence(bad.stderr);
      const ok = await mp.run(['login', '--api-key', key]);
      assert.equal(ok.code, 0, ok.stderr);
      const file = join(mp.configHome, 'mp', 'config.json');
      const { chmodSync } = await import('node:fs');
      chmodSync(file, 0o644);
      const doctor = await mp.run(['doctor']);
      assert.equal(doctor.code, 1);
      assert.match(doctor.stdout, /✗ config\s+.*readable by others.*\n\s+fix: run `chmod 600 /);
    });
  });
}
