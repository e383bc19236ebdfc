// What the mp tests share: mp built as it is published (one bundled file), run as a child process against a real api
// listening on 127.0.0.1 (port 0) on a real database, with its config in a temporary XDG_CONFIG_HOME; and signed-in
// users as Supabase Auth would create them, with session tokens the api verifies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@neuronetiq/api';
import type { Db } from '@neuronetiq/db';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';

export const SERVICE_KEY = 'cli-test-service-key-0123456789abcdef0123';
export const JWT_SECRET = 'cli-test-jwt-secret-0123456789abcdef01234';

/** Builds mp into a temporary folder exactly as scripts/pack.mjs publishes it; returns the path of mp.js. */
export async function buildMp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'mp-build-'));
  // @ts-expect-error: an .mjs script without declarations
  const { buildCli } = (await import('../../../scripts/pack.mjs')) as {
    buildCli(o: { outDir: string }): Promise<string>;
  };
  await buildCli({ outDir });
  return join(outDir, 'mp.js');
}

export interface Api {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The real api on `db`, listening on a free port; its device flow polls every second. */
export async function startApi(db: Db): Promise<Api> {
  const app = await buildApp({ db, serviceRoleKey: SERVICE_KEY, jwtSecret: JWT_SECRET, deviceFlow: { intervalS: 1 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface MpResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface MpRunner {
  configHome: string;
  env: Record<string, string>;
  run(
    args: string[],
    o?: { env?: Record<string, string | undefined>; cwd?: string; onStdout?: (s: string) => void },
  ): Promise<MpResult>;
}

/** Runs the built mp with its own XDG config folder (never the developer's ~/.config). */
export function mpRunner(mpPath: string, apiUrl: string): MpRunner {
  const configHome = mkdtempSync(join(tmpdir(), 'mp-config-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: configHome,
    XDG_CONFIG_HOME: configHome,
    MP_API_URL: apiUrl,
  };
  return {
    configHome,
    env,
    run(args, o = {}) {
      return new Promise((resolve, reject) => {
        const merged: Record<string, string> = { ...env };
        for (const [k, v] of Object.entries(o.env ?? {})) {
          if (v === undefined) delete merged[k];
          else merged[k] = v;
        }
        const child = spawn(process.execPath, [mpPath, ...args], {
          env: merged,
          cwd: o.cwd ?? configHome,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          o.onStdout?.(stdout);
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, stderr }));
      });
    },
  };
}

/** A GitHub user as Supabase Auth creates one (what signing in on the web does), and a session token for them. */
export async function createGithubUser(
  db: Pick<Db, 'query'>,
  { login = `dev-${randomBytes(4).toString('hex')}`, jwtSecret = JWT_SECRET } = {},
) {
  const userId = randomUUID();
  const identity = { user_name: login, full_name: login };
  const email = `${login}@users.noreply.github.com`;
  await db.query('INSERT INTO auth.users (id, email, raw_app_meta_data, raw_user_meta_data) VALUES ($1, $2, $3, $4)', [
    userId,
    email,
    { provider: 'github' },
    identity,
  ]);
  await db.query(
    'INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, email) VALUES ($1, $2, $3, $4, $5)',
    [randomUUID(), userId, identity, 'github', email],
  );
  const token = await new SignJWT({ role: 'authenticated', email, app_metadata: { provider: 'github' } })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(jwtSecret));
  return { login, userId, token };
}

/** Creates an API key with `token`'s session and logs `mp` in with it (`mp login --api-key`); resolves with the key. */
export async function loginWithNewKey(mp: MpRunner, apiUrl: string, token: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'cli test' }),
  });
  const key = ((await res.json()) as { data: { key: string } }).data.key;
  const login = await mp.run(['login', '--api-key', key]);
  assert.equal(login.code, 0, login.stderr);
  return key;
}

/**
 * Runs `mp login` and approves the code it prints as `token`'s user would on /cli/authorize (through the api: the web
 * page is not part of these tests). Resolves with mp's result.
 */
export async function loginThroughDeviceFlow(mp: MpRunner, apiUrl: string, token: string, extraArgs: string[] = []) {
  let approved: Promise<Response> | undefined;
  const result = await mp.run(['login', ...extraArgs], {
    onStdout: (out) => {
      approved ??= approveShownCode(out, apiUrl, token);
    },
  });
  const approval = await approved;
  return { result, approvalStatus: approval?.status };
}

/**
 * What the person does on /cli/authorize once `mp login` has printed its code: approve it with their session. Returns
 * undefined until `output` shows a code.
 */
export function approveShownCode(output: string, apiUrl: string, token: string): Promise<Response> | undefined {
  const code = /\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b/.exec(output)?.[1];
  if (!code) return undefined;
  return fetch(`${apiUrl}/api/cli/device/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_code: code, approve: true }),
  });
}

export const MIN = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();
/** The open time of the 1m bar in progress. */
export const openBar = () => new Date(Math.floor(Date.now() / MIN) * MIN);

/** mp's failure output: one line, `mp: <sentence>`, no stack trace. */
export function oneSentence(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${stderr}`);
  assert.match(lines[0] as string, /^mp: \S.*\S$/, stderr);
  assert.ok(!/^\s+at \S/m.test(stderr), 'no stack trace');
}
