// docs/tutorial.md, run as a reader runs it: every line of its ```sh blocks, literally and in order, in bash, against
// the platform its first block starts (`npm start` on a fresh embedded database, on ports of its own), with a temporary
// HOME (so `~`, mp's config and the global npm prefix are the test's) and the api address in MP_API_URL. The steps a
// person does in the browser are done by Chromium (@neuronetiq/testing-web): sign in on the web app through a local
// GitHub stand-in (the platform's web app is pointed at it, as at github.com), open /cli/authorize, type the code
// `mp login` printed, approve. Without Chromium the test skips, saying how to install it. Prints the time of each
// step, which the tutorial states.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  browserSkipReason,
  type GitHubOAuthServer,
  launchBrowser,
  startGitHubOAuthServer,
  withPage,
} from '@neuronetiq/testing-web';
import type { Browser } from 'playwright-core';

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
// `npm start`'s web app (its WEB_URL) and the reader's GitHub account, on the stand-in.
const webUrl = `http://localhost:${3000 + offset}`;
const READER = { id: 5_150_001, login: 'ada-lovelace', name: 'Ada Lovelace', email: 'ada@example.com' };
const githubClient = { clientId: 'Iv1.tutorial', clientSecret: 'tutorial-client-secret-0123456789abcdef' };
let github: GitHubOAuthServer | undefined;
let browser: Browser | undefined;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  // `npm install -g` goes to a prefix of the test's; installs are plain (the registry answers, as for a reader).
  npm_config_prefix: join(work, 'npm-global'),
  npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  PATH: `${join(work, 'npm-global', 'bin')}:${process.env.PATH}`,
  NQ_DATA_DIR: join(work, 'data'),
  NQ_PORT_OFFSET: String(offset),
  MP_API_URL: apiUrl,
  // The web app's GitHub sign-in (the addresses are set before the platform starts, below).
  GITHUB_CLIENT_ID: githubClient.clientId,
  GITHUB_CLIENT_SECRET: githubClient.clientSecret,
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
  await browser?.close();
  await github?.close();
  rmSync(work, { recursive: true, force: true });
});

/** What the reader does in the browser: sign in with GitHub, open /cli/authorize, type the code, approve. */
async function approveInBrowser(code: string): Promise<void> {
  browser ??= await launchBrowser();
  // withPage: a failing step names the page's address and text and saves a screenshot (test-results/).
  await withPage(browser, { baseURL: webUrl, timeoutMs: 60_000 }, async (page) => {
    await page.goto(`/marketplace/login?next=${encodeURIComponent('/cli/authorize')}`);
    await page.getByRole('button', { name: 'Continue with GitHub' }).click();
    await page.getByRole('button', { name: `Continue as ${READER.login}` }).click();
    // A first sign-in lands on the welcome page, whose Continue goes on to where the reader was going.
    await page.waitForURL((url) => url.origin === webUrl && url.pathname === '/marketplace/setup');
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === webUrl && url.pathname === '/cli/authorize');
    await page.getByLabel('Code shown by `mp login`').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/cli/authorize' && url.searchParams.has('code'));
    assert.equal(await page.getByTestId('cli-user-code').textContent(), code);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('cli-approved').waitFor();
  });
}

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

const skip = browserSkipReason();
test('docs/tutorial.md runs from an empty home to a starter model publishing signals, well within 15 minutes', {
  skip,
}, async () => {
  github = await startGitHubOAuthServer({
    users: [READER],
    clients: [{ ...githubClient, redirectUris: [`${webUrl}/api/auth/callback/github`] }],
  });
  env.GITHUB_OAUTH_URL = github.url;
  env.GITHUB_API_URL = github.url;
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
  let webUp: Promise<void> = Promise.reject(new Error('step 1 did not start the platform'));
  webUp.catch(() => {});

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
        webUp = new Promise<void>((ready, failed) => {
          const check = () => {
            if (platformOutput.includes('for the marketplace.')) ready();
            else if (platform?.exitCode !== null) failed(new Error(`npm start exited:\n${platformOutput}`));
            else setTimeout(check, 250);
          };
          check();
        });
        continue;
      }
      if (line === 'mp login') {
        // The web app comes up once its build is done; the reader opens it when `npm start` says so.
        await webUp;
        login = READER.login;
        let approval: Promise<void> | undefined;
        const r = await bash(line, cwd, (out) => {
          const code = /\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b/.exec(out)?.[1];
          if (code) approval ??= approveInBrowser(code);
        });
        await approval;
        assert.ok(approval, `mp login printed a code:\n${r.out}`);
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
