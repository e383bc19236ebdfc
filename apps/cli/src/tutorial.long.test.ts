// docs/tutorial.md, run as a reader runs it: every line of its ```sh blocks, literally and in order, in bash, against
// the platform its first block starts (`npm start` on a fresh embedded database, on ports of its own), with a temporary
// HOME (so `~`, mp's config and the global npm prefix are the test's) and the api address in MP_API_URL. The one step a
// browser does, approving `mp login`'s code on /cli/authorize, is done through the api with the session a GitHub
// sign-in gives (the web page is not part of this test). Prints the time of each step, which the tutorial states.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDb } from '@neuronetiq/db';
import { approveShownCode, createGithubUser } from './test-support';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tutorial = readFileSync(join(root, 'docs/tutorial.md'), 'utf8');
const FIFTEEN_MINUTES_MS = 15 * 60_000;

interface Step {
  number: number;
  title: string;
  commands: string[];
}

/** The numbered sections of the tutorial and the command lines of their ```sh blocks. */
function steps(): Step[] {
  const out: Step[] = [];
  for (const section of tutorial.split(/^## /m).slice(1)) {
    const heading = /^(\d+)\. (.+)$/m.exec(section);
    if (!heading) continue;
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
      (m[1] as string).split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')),
    );
    out.push({ number: Number(heading[1]), title: heading[2] as string, commands });
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'nq-tutorial-'));
const home = join(work, 'home');
mkdirSync(home);
// Ports of its own, apart from start.test.ts's (10000-10490) and the defaults a person's `npm start` uses.
const offset = 10_500 + (process.pid % 49) * 10;
const apiUrl = `http://127.0.0.1:${8787 + offset}`;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  // `npm install -g` goes to a prefix of the test's; packages still come from the machine's npm cache.
  npm_config_prefix: join(work, 'npm-global'),
  npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  PATH: `${join(work, 'npm-global', 'bin')}:${process.env.PATH}`,
  NQ_DATA_DIR: join(work, 'data'),
  NQ_PORT_OFFSET: String(offset),
  MP_API_URL: apiUrl,
};
delete env.NO_COLOR;
delete env.DATABASE_URL;

let platform: ChildProcess | undefined;
let platformOutput = '';
after(async () => {
  if (platform?.pid) {
    const exited = new Promise((r) => platform?.once('exit', r));
    process.kill(-platform.pid, 'SIGINT');
    // What a reader's Ctrl-C does; the platform's own test (scripts/start.test.ts) checks the clean stop.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
    try {
      process.kill(-platform.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true });
});

/** Runs one command line in bash in `cwd`; resolves with its output and the directory it ended in. */
function bash(line: string, cwd: string, onOutput?: (all: string) => void) {
  return new Promise<{ code: number | null; out: string; cwd: string }>((done) => {
    const marker = '__tutorial_cwd__';
    const child = spawn('bash', ['-c', `${line}\nstatus=$?\necho "${marker}$(pwd)"\nexit $status`], { cwd, env });
    let out = '';
    const take = (d: Buffer) => {
      out += d.toString();
      onOutput?.(out);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      const at = out.lastIndexOf(marker);
      done({ code, out: at >= 0 ? out.slice(0, at) : out, cwd: at >= 0 ? out.slice(at + marker.length).trim() : cwd });
    });
  });
}

test('docs/tutorial.md runs from an empty home to a starter model publishing signals, well within 15 minutes', async () => {
  const all = steps();
  assert.deepEqual(
    all.map((s) => s.number),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.deepEqual(all[0]?.commands, ['npm start'], 'step 1 starts the platform');
  const t0 = Date.now();
  const timings: { step: Step; ms: number }[] = [];
  let cwd = root;
  let login: string | undefined;

  for (const step of all) {
    const started = Date.now();
    for (const line of step.commands) {
      if (line === 'npm start' && step.number === 1) {
        platform = spawn('bash', ['-c', line], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const up = new Promise<void>((ready, failed) => {
          const take = (d: Buffer) => {
            platformOutput += d.toString();
            if (platformOutput.includes('NeuronetIQ Trader is up')) ready();
          };
          platform?.stdout?.on('data', take);
          platform?.stderr?.on('data', take);
          platform?.once('exit', (code) => failed(new Error(`npm start exited (${code}):\n${platformOutput}`)));
        });
        await up;
        continue;
      }
      if (line === 'mp login') {
        // The reader signed in on the web first; GitHub sign-in creates this user and session.
        const databaseUrl = /database\s+(postgres:\/\/\S+)/.exec(platformOutput)?.[1];
        assert.ok(databaseUrl, `npm start printed its database: ${platformOutput}`);
        const db = createDb(databaseUrl, { max: 1 });
        const jwtSecret = readFileSync(join(env.NQ_DATA_DIR as string, 'jwt-secret'), 'utf8').trim();
        const user = await createGithubUser(db, { jwtSecret, login: 'ada-lovelace' }).finally(() => db.end());
        login = user.login;
        let approval: Promise<Response> | undefined;
        const r = await bash(line, cwd, (out) => {
          approval ??= approveShownCode(out, apiUrl, user.token);
        });
        assert.equal((await approval)?.status, 200, 'the code mp login printed was approved');
        assert.equal(r.code, 0, `${line}:\n${r.out}`);
        assert.match(r.out, /Logged in to .* as ada-lovelace/);
        continue;
      }
      const r = await bash(line, cwd);
      assert.equal(r.code, 0, `step ${step.number}: ${line}\n${r.out}`);
      cwd = resolve(r.cwd);
      if (line === 'mp --version') assert.equal(r.out.trim(), '0.2.1');
      if (line === 'mp whoami') assert.match(r.out, /^ada-lovelace on /);
      if (line === 'npm start -- --once') assert.match(r.out, /EURUSD 1m (BUY|SELL|NEUTRAL) [\d.]+ \(RSI [\d.]+\)/);
    }
    timings.push({ step, ms: Date.now() - started });
  }
  const totalMs = Date.now() - t0;

  // The starter's signal and the hand-pushed one are stored under the reader's GitHub name.
  const config = JSON.parse(readFileSync(join(home, '.config', 'mp', 'config.json'), 'utf8'));
  const key = config.hosts[apiUrl].api_key as string;
  const res = await fetch(`${apiUrl}/api/signals?model_id=rsi-starter&limit=10`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const signals = ((await res.json()) as { data: { owner: string; meta: Record<string, unknown> }[] }).data;
  assert.ok(signals.length >= 1);
  assert.ok(signals.every((s) => s.owner === login));
  assert.ok(
    signals.some((s) => typeof s.meta.rsi === 'number'),
    'the starter model stored an RSI signal',
  );

  const fmt = (ms: number) =>
    ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  console.log(
    [
      'measured step times (for docs/tutorial.md):',
      ...timings.map((t) => `  ${t.step.number}. ${t.step.title}: ${fmt(t.ms)}`),
      `  total: ${fmt(totalMs)}`,
    ].join('\n'),
  );
  assert.ok(totalMs < FIFTEEN_MINUTES_MS, `the whole tutorial took ${fmt(totalMs)}`);
  assert.ok(!/STEP_/.test(tutorial), 'docs/tutorial.md states the measured times');
});
