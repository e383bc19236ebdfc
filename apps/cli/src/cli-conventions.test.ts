// mp's conventions, without an api: --version and --help of every command with an example, usage mistakes exit 2,
// failures exit 1 with one sentence, shell completion. The help texts and usage checks run mp's program in this
// process (the same code the binary runs); the exit codes and messages of the published binary are checked by
// running it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { run } from './program';
import { buildMp, mpRunner, oneSentence } from './test-support';

let mpPath: string;
before(async () => {
  mpPath = await buildMp();
});

/** mp's program run in this process with captured output. */
async function inProcess(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    streams: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    env: { HOME: '/nonexistent', MP_API_URL: 'http://127.0.0.1:9', ...env },
  });
  return { code, stdout, stderr };
}

const COMMANDS = [
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

test('mp --version prints 0.2.1, and --help of every command lists its options with an example', async () => {
  const mp = mpRunner(mpPath, 'http://127.0.0.1:9');
  const version = await mp.run(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), '0.2.1');
  const help = await mp.run(['--help']);
  assert.equal(help.code, 0);
  for (const c of COMMANDS) {
    assert.ok(help.stdout.includes(`  ${c[0]}`), `mp --help lists ${c[0]}`);
    const sub = await inProcess([...c, '--help']);
    assert.equal(sub.code, 0, c.join(' '));
    assert.match(sub.stdout, /Examples:\n {2}\$ .*\bmp /, `mp ${c.join(' ')} --help has an example`);
  }
  const push = await inProcess(['signals', 'push', '--help']);
  for (const o of ['--model', '--symbol', '--tf', '--decision', '--confidence', '--bar-ts', '--meta', '--file']) {
    assert.ok(push.stdout.includes(o), `signals push --help shows ${o}`);
  }
});

test('usage mistakes exit 2 and name the mistake; a failure exits 1 with one sentence that says what to do', async () => {
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
    ['signals', 'push', '--file', 'x.csv', '--decision', 'BUY'],
    ['ohlcv', 'get', '--symbol', 'EURUSD'],
    ['signals', 'list', '--limit', '0'],
    ['signals', 'list', '--from', '2026-01-05 12:00'],
    ['signals', 'list', '--from', '0000-01-01T00:00:00Z\u0000'],
    ['--api-url', 'ftp://x', 'whoami'],
    ['completion', 'powershell'],
  ]) {
    const r = await inProcess(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0, `${args.join(' ')} explains itself`);
  }
  const badEnv = await inProcess(['whoami'], { MP_API_URL: 'not a url' });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /MP_API_URL must be an http\(s\) URL/);

  // The published binary: its exit codes and messages.
  const mp = mpRunner(mpPath, 'http://127.0.0.1:9');
  const usage = await mp.run(['signals', 'push', '--tf', '7m']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /'7m' is invalid\. Allowed choices are 1m, 5m/);
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

test('mp completion bash is a valid bash script completing commands and options; zsh and fish scripts too', async () => {
  for (const shell of ['zsh', 'fish']) {
    const r = await inProcess(['completion', shell]);
    assert.equal(r.code, 0, shell);
    assert.match(r.stdout, /signals/);
  }
  const script = (await inProcess(['completion', 'bash'])).stdout;
  const complete = (line: string) => {
    const words = line.split(' ');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mp_complete; echo "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split(' ');
  };
  assert.deepEqual(complete('mp sig').sort(), ['signals']);
  assert.deepEqual(complete('mp signals p'), ['push']);
  assert.ok(complete('mp signals push --').includes('--confidence'));
});
