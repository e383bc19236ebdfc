// Supabase's pooler on port 6543 runs in transaction mode: consecutive transactions of one client go to different
// server connections, and one server connection serves many clients. The api is built for that: each request's role
// and claims are set with set_config(…, true) inside its own transaction, so they end with it. This test puts
// PgBouncer (Debian's package) in transaction mode in front of the PostgreSQL at DATABASE_URL — its own process, port
// and configuration in a temp dir, with far fewer server connections than the api has clients — runs the api through
// it (migrations included), and shows that no request ever sees another's rows and no server connection is left with a
// role or claims. A first test shows the check can fail: a session-level SET through the same pooler does leak.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDb } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { parseEnv } from '../apps/api/src/env';
import { type ApiServer, startApiServer } from '../apps/api/src/server';
import { createUser, JWT_SECRET, SERVICE_KEY } from '../apps/api/src/test-helpers';
import { freePort } from './support/ports';

const PGBOUNCER = '/usr/sbin/pgbouncer';
// Server connections per database: the api's pool (10) shares 3, so requests follow each other on the same ones.
const SERVER_CONNECTIONS = 3;
const skip = !testBackends().includes('postgres')
  ? 'needs PostgreSQL: set DATABASE_URL'
  : !existsSync(PGBOUNCER)
    ? // CI installs it (.ci/run); there it must run, not skip.
      process.env.CI
      ? false
      : `needs PgBouncer at ${PGBOUNCER}: sudo apt-get install pgbouncer`
    : false;

/** One query on a fresh client connection (each may be given any of the pooler's server connections). */
async function queryOnce<T>(url: string, sql: string): Promise<T[]> {
  const db = createDb(url, { max: 1, prepare: false, applicationName: 'pgbouncer-test' });
  try {
    return await db.query<T>(sql);
  } finally {
    await db.end();
  }
}

describe('the api behind PgBouncer in transaction mode', { skip }, () => {
  let database: TestDatabase;
  let dir: string;
  let bouncer: ChildProcess;
  let bouncerLog = '';
  let pooled: string;
  let singleConnection: string;
  let server: ApiServer;

  before(async () => {
    database = await createTestDatabase('postgres');
    const target = new URL(database.url);
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'nq-pgbouncer-'));
    // PgBouncer refuses to run as root; started as root it switches to the postgres user, who must write here.
    chmodSync(dir, 0o777);
    const upstream = `host=${target.hostname} port=${target.port || 5432} dbname=${target.pathname.slice(1)} user=${decodeURIComponent(target.username) || 'postgres'}`;
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `nq = ${upstream}`,
        `nq_one = ${upstream} pool_size=1`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        `default_pool_size = ${SERVER_CONNECTIONS}`,
        'max_client_conn = 200',
        'ignore_startup_parameters = extra_float_digits,options',
        `pidfile = ${join(dir, 'pgbouncer.pid')}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
    const asRoot = process.getuid?.() === 0;
    bouncer = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [bouncer.stdout, bouncer.stderr]) {
      stream?.on('data', (d: Buffer) => {
        bouncerLog += d.toString();
      });
    }
    const user = decodeURIComponent(target.username) || 'postgres';
    pooled = `postgres://${user}@127.0.0.1:${port}/nq`;
    singleConnection = `postgres://${user}@127.0.0.1:${port}/nq_one`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await queryOnce(pooled, 'SELECT 1');
        break;
      } catch (err) {
        if (Date.now() > deadline || bouncer.exitCode !== null) {
          throw new Error(`PgBouncer did not start: ${(err as Error).message}\n${bouncerLog}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // The api's pool and its start-up migrations go through the pooler; only the stream's LISTEN goes direct.
    server = await startApiServer(
      parseEnv({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: pooled,
        DATABASE_DIRECT_URL: database.url,
        DB_PREPARED_STATEMENTS: 'false',
        DB_POOL_MAX: '10',
        SERVICE_ROLE_KEY: SERVICE_KEY,
        SUPABASE_JWT_SECRET: JWT_SECRET,
        LOG_LEVEL: 'silent',
      }),
    );
  });

  after(async () => {
    await server?.stop();
    if (bouncer && bouncer.exitCode === null) {
      const exited = once(bouncer, 'exit');
      bouncer.kill('SIGTERM');
      await exited;
    }
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the check can fail: a session-level SET ROLE through the pooler is inherited by the next client', async () => {
    await queryOnce(singleConnection, 'SET ROLE anon');
    try {
      const [row] = await queryOnce<{ current_user: string }>(singleConnection, 'SELECT current_user');
      assert.equal(row?.current_user, 'anon', 'one server connection, shared: the SET outlived its client');
    } finally {
      await queryOnce(singleConnection, 'RESET ROLE');
    }
  });

  test('per-request SET LOCAL: 480 concurrent requests as two users, anonymous and the service never see another caller’s rows', async () => {
    const suffix = randomBytes(3).toString('hex');
    const owners = [`alice${suffix}`, `bob${suffix}`];
    const users = await Promise.all(owners.map((login) => createUser({ database }, { provider: 'github', login })));
    for (const user of users) {
      const me = await fetch(`${server.url}/api/me`, { headers: user.auth });
      assert.equal(me.status, 200, await me.text());
    }
    const store = (owner: string, i: number) =>
      fetch(`${server.url}/api/signals/store`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          owner,
          model_id: `private-${owner}`,
          symbol: 'EURUSD',
          timeframe: '5m',
          bar_ts: new Date(Date.UTC(2025, 0, 3, 10, 0) + i * 300_000).toISOString(),
          decision: 'BUY',
          confidence: 0.5,
        }),
      });
    for (const owner of owners) assert.equal((await store(owner, 0)).status, 204);

    const read = async (who: 'alice' | 'bob' | 'anonymous') => {
      const headers =
        who === 'anonymous' ? {} : (users[who === 'alice' ? 0 : 1] as { auth: Record<string, string> }).auth;
      const res = await fetch(`${server.url}/api/signals?symbol=EURUSD&tf=5m&limit=100`, { headers });
      return { who, status: res.status, body: (await res.json()) as { data?: Array<{ owner: string }> } };
    };
    const requests: Array<Promise<unknown>> = [];
    for (let i = 0; i < 150; i++) {
      requests.push(read('alice'), read('bob'), store(owners[i % 2] as string, 1 + i));
      // Anonymous reads are refused authentications, which the api rate-limits per address (60 a minute): 30 of them.
      if (i % 5 === 0) requests.push(read('anonymous'));
    }
    const results = await Promise.all(requests);
    const reads = results.filter((r): r is Awaited<ReturnType<typeof read>> => !(r instanceof Response));
    const stores = results.filter((r): r is Response => r instanceof Response);
    assert.deepEqual([...new Set(stores.map((r) => r.status))], [204], 'every write stored');
    for (const r of reads) {
      if (r.who === 'anonymous') {
        // Anonymous callers may not list raw signals at all; a leaked role or claim would have let them.
        assert.equal(r.status, 401, JSON.stringify(r.body));
        continue;
      }
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const seen = new Set((r.body.data ?? []).map((s) => s.owner));
      const own = owners[r.who === 'alice' ? 0 : 1] as string;
      assert.deepEqual([...seen], [own], `${r.who} saw ${[...seen].join(', ')}`);
    }

    // Every server connection the pooler hands out is clean: the login role, no claims.
    for (let i = 0; i < 4 * SERVER_CONNECTIONS; i++) {
      const [row] = await queryOnce<{ current_user: string; claims: string | null; role: string }>(
        pooled,
        `SELECT current_user, current_setting('request.jwt.claims', true) AS claims, current_setting('role') AS role`,
      );
      assert.equal(row?.current_user, 'postgres');
      assert.equal(row?.role, 'none');
      assert.ok(!row?.claims, `claims left on a server connection: ${row?.claims}`);
    }
  });

  test('the stream LISTENs on DATABASE_DIRECT_URL: a signal stored through the pooler arrives at once', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/stream?types=signal`, {
      headers: { authorization: `Bearer ${SERVICE_KEY}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const owner = `stream${randomBytes(3).toString('hex')}`;
    let text = '';
    const arrived = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes(`"owner":"${owner}"`)) return true;
      }
      return false;
    })().catch(() => false);
    // The stream is subscribed once its first bytes (the headers) are in; the tail starts with the subscriber.
    await new Promise((r) => setTimeout(r, 500));
    const stored = await fetch(`${server.url}/api/signals/store`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        owner,
        model_id: 'stream-check',
        symbol: 'EURUSD',
        timeframe: '5m',
        bar_ts: '2025-01-03T10:30:00Z',
        decision: 'SELL',
        confidence: 0.7,
      }),
    });
    assert.equal(stored.status, 204);
    const got = await Promise.race([arrived, new Promise((r) => setTimeout(() => r(false), 5_000))]);
    controller.abort();
    assert.equal(got, true, `no event for ${owner} within 5 s:\n${text.slice(-500)}`);
    const listening = await database.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`,
    );
    assert.ok((listening[0]?.n ?? 0) >= 1, 'a session LISTENs on the direct connection');
  });
});
