// Group commit of POST /api/signals/store: concurrent requests of one principal share one transaction, yet each gets
// the answer it would have got alone, keeps its own Idempotency-Key record, and is answered only once committed.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SignalPayloadInput } from '@neuronetiq/contracts';
import { createVendor, describeEachBackend, SERVICE_KEY, signal, uniqueSlug } from '../test-helpers';

const store = (payload: SignalPayloadInput, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/api/signals/store',
  payload,
  headers,
});

describeEachBackend('POST /api/signals/store, concurrent requests of one principal (group commit)', (ctx) => {
  const transactionsOf = async (owner: string) =>
    (
      await ctx().database.db.query<{ n: number }>(
        'SELECT count(DISTINCT xmin::text)::int AS n FROM ml.signals_latest WHERE owner = $1',
        [owner],
      )
    )[0]?.n;

  test('20 at once are written in fewer transactions than requests, and one immutable among them alone gets 409', async () => {
    const owner = uniqueSlug('grp');
    const closed = signal({ owner, model_id: 'm-closed', bar_ts: '2026-01-05T11:58:00Z', decision: 'SELL' });
    assert.equal((await ctx().asService(store(closed))).statusCode, 204);

    const batch = Array.from({ length: 20 }, (_, i) => signal({ owner, model_id: `m-${i}`, confidence: i / 20 }));
    const changedAfterClose = { ...closed, decision: 'BUY' as const };
    const responses = await Promise.all([...batch, changedAfterClose].map((s) => ctx().asService(store(s))));

    assert.deepEqual(
      responses.slice(0, 20).map((r) => r.statusCode),
      batch.map(() => 204),
    );
    const refused = responses[20];
    assert.equal(refused?.statusCode, 409);
    assert.equal(refused?.json().error, 'SIGNAL_IMMUTABLE');
    assert.match(refused?.json().message, /2026-01-05T11:58:00/);
    const rows = await ctx().database.db.query<{ model_id: string; confidence: number; decision: string }>(
      'SELECT model_id, confidence::float8 AS confidence, decision FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    assert.equal(rows.length, 21);
    assert.equal(rows.find((r) => r.model_id === 'm-closed')?.decision, 'SELL');
    assert.equal(rows.find((r) => r.model_id === 'm-7')?.confidence, 0.35);
    const transactions = (await transactionsOf(owner)) as number;
    assert.ok(transactions < 20, `the 20 rows came from ${transactions} transactions: they were not grouped`);
  });

  test("a vendor's concurrent requests: the one for an unregistered model is 403, the others are stored", async () => {
    const vendor = await createVendor(ctx());
    const ok = Array.from({ length: 6 }, (_, i) =>
      signal({
        owner: vendor.owner,
        model_id: vendor.modelId,
        symbol: ['EURUSD', 'GBPUSD', 'USDJPY'][i % 3],
        bar_ts: `2026-01-05T1${i % 2}:00:00Z`,
      }),
    );
    const unregistered = signal({ owner: vendor.owner, model_id: 'not-registered' });
    const otherOwner = signal({ owner: uniqueSlug('other'), model_id: vendor.modelId });
    const responses = await Promise.all(
      [...ok, unregistered, otherOwner].map((s) => ctx().inject({ ...store(s), headers: vendor.auth })),
    );
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [204, 204, 204, 204, 204, 204, 403, 403],
    );
    assert.match(responses[6]?.json().message, /not-registered.*not registered/);
    assert.match(responses[7]?.json().message, /may not write for owner/);
    const [n] = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ml.signals_latest WHERE owner = $1',
      [vendor.owner],
    );
    assert.equal(n?.n, 6);
  });

  test('each request keeps its own Idempotency-Key record: re-sent, each replays; with another body, each is 422', async () => {
    const owner = uniqueSlug('idem');
    const run = uniqueSlug('key');
    const sent = Array.from({ length: 12 }, (_, i) => signal({ owner, model_id: `m-${i}` }));
    const key = (i: number) => ({ 'idempotency-key': `${run}-${i}` });
    const first = await Promise.all(sent.map((s, i) => ctx().asService(store(s, key(i)))));
    assert.deepEqual(
      first.map((r) => [r.statusCode, r.headers['idempotent-replayed']]),
      sent.map(() => [204, undefined]),
    );

    const again = await Promise.all(sent.map((s, i) => ctx().asService(store(s, key(i)))));
    assert.deepEqual(
      again.map((r) => [r.statusCode, r.headers['idempotent-replayed']]),
      sent.map(() => [204, 'true']),
    );
    const changed = await Promise.all(sent.map((s, i) => ctx().asService(store({ ...s, confidence: 0.1 }, key(i)))));
    assert.deepEqual(
      changed.map((r) => [r.statusCode, r.json().error]),
      sent.map(() => [422, 'IDEMPOTENCY_KEY_REUSED']),
    );
    const [stored] = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ml.signals_latest WHERE owner = $1 AND confidence = 0.8',
      [owner],
    );
    assert.equal(stored?.n, 12);
  });

  test('one key sent twice at once: with the same body one stores and one replays; with another body one is 422', async () => {
    const owner = uniqueSlug('dup');
    const same = signal({ owner, model_id: 'same' });
    const k1 = { 'idempotency-key': uniqueSlug('k') };
    const twice = await Promise.all([ctx().asService(store(same, k1)), ctx().asService(store(same, k1))]);
    assert.deepEqual(
      twice.map((r) => [r.statusCode, r.headers['idempotent-replayed'] ?? 'fresh']),
      [
        [204, 'fresh'],
        [204, 'true'],
      ],
    );

    const k2 = { 'idempotency-key': uniqueSlug('k') };
    const a = signal({ owner, model_id: 'a' });
    const b = signal({ owner, model_id: 'b' });
    const clash = await Promise.all([ctx().asService(store(a, k2)), ctx().asService(store(b, k2))]);
    assert.deepEqual(
      clash.map((r) => r.statusCode),
      [204, 422],
    );
    assert.equal(clash[1]?.json().error, 'IDEMPOTENCY_KEY_REUSED');
    const models = await ctx().database.db.query<{ model_id: string }>(
      'SELECT model_id FROM ml.signals_latest WHERE owner = $1 ORDER BY model_id',
      [owner],
    );
    assert.deepEqual(
      models.map((m) => m.model_id),
      ['a', 'same'],
    );
  });

  test('one row sent twice at once: as if one after the other (open bar: the later value wins; closed: 409)', async () => {
    const owner = uniqueSlug('row');
    const open = signal({ owner });
    const updates = await Promise.all([
      ctx().asService(store(open)),
      ctx().asService(store({ ...open, decision: 'SELL' })),
    ]);
    assert.deepEqual(
      updates.map((r) => r.statusCode),
      [204, 204],
    );
    const closed = signal({ owner, bar_ts: '2026-01-05T11:58:00Z' });
    const late = await Promise.all([
      ctx().asService(store(closed)),
      ctx().asService(store({ ...closed, decision: 'SELL' })),
    ]);
    assert.deepEqual(
      late.map((r) => r.statusCode),
      [204, 409],
    );
    const rows = await ctx().database.db.query<{ bar_ts: string; decision: string }>(
      'SELECT bar_ts, decision FROM ml.signals_latest WHERE owner = $1 ORDER BY bar_ts',
      [owner],
    );
    assert.deepEqual(rows, [
      { bar_ts: '2026-01-05T11:58:00.000Z', decision: 'BUY' },
      { bar_ts: '2026-01-05T12:00:00.000Z', decision: 'SELL' },
    ]);
  });

  test('a request the database refuses fails alone: the rest of its group is retried and stored', async () => {
    const owner = uniqueSlug('nul');
    // JSON with an escaped NUL is valid JSON, but not a valid jsonb value: the group's statement fails as a whole.
    const refused = signal({ owner, model_id: 'nul', meta: { note: 'a\u0000b' } });
    const alone = await ctx().asService(store({ ...refused, model_id: 'nul-alone' }));
    const together = await Promise.all(
      [...Array.from({ length: 8 }, (_, i) => signal({ owner, model_id: `m-${i}` })), refused].map((s) =>
        ctx().asService(store(s, { 'idempotency-key': uniqueSlug('k') })),
      ),
    );
    assert.deepEqual(
      together.slice(0, 8).map((r) => r.statusCode),
      Array.from({ length: 8 }, () => 204),
    );
    assert.equal(together[8]?.statusCode, alone.statusCode);
    assert.equal(together[8]?.json().error, alone.json().error);
    assert.ok((together[8]?.statusCode ?? 0) >= 400);
    const [n] = await ctx().database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    assert.equal(n?.n, 8);
  });

  test('the api process killed under load: every signal answered 204 is stored', async () => {
    const api = await startApiProcess(ctx().database.url);
    const owner = uniqueSlug('crash');
    const acked: SignalPayloadInput[] = [];
    let unanswered = 0;
    let seq = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const i = seq++;
        const s = signal({
          owner,
          model_id: `m-${i % 40}`,
          bar_ts: new Date(Date.UTC(2026, 0, 5) + Math.floor(i / 40) * 60_000).toISOString(),
          confidence: (i % 100) / 100,
        });
        try {
          const res = await fetch(`${api.url}/api/signals/store`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
            body: JSON.stringify(s),
          });
          if (res.status === 204) acked.push(s);
          else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
        } catch (err) {
          if (!killed) throw err;
          unanswered += 1;
        }
      }
    };
    const failures: unknown[] = [];
    const workers = Array.from({ length: 16 }, () => worker().catch((err: unknown) => failures.push(err)));
    const deadline = Date.now() + 60_000;
    while (acked.length < 300 && failures.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    killed = true;
    api.child.kill('SIGKILL');
    await Promise.all(workers);
    const gone = api.child.exitCode !== null || api.child.signalCode !== null;
    if (!gone) await new Promise((r) => api.child.once('exit', r));

    assert.deepEqual(failures, []);
    assert.ok(acked.length >= 300, `only ${acked.length} signals were stored in a minute`);
    assert.ok(unanswered > 0, 'no request was in flight when the api died');
    const rows = await ctx().database.db.query<{ model_id: string; bar_ts: string; confidence: number }>(
      'SELECT model_id, bar_ts, confidence::float8 AS confidence FROM ml.signals_latest WHERE owner = $1',
      [owner],
    );
    const stored = new Map(rows.map((r) => [`${r.model_id} ${r.bar_ts}`, r.confidence]));
    const lost = acked.filter((s) => stored.get(`${s.model_id} ${new Date(s.bar_ts).toISOString()}`) !== s.confidence);
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged signals are missing`);
  });
});

/** The api as in production: its own process (main.ts), on the test's database. */
async function startApiProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const root = fileURLToPath(new URL('../../../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SERVICE_ROLE_KEY: SERVICE_KEY,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: 'false',
      DB_POOL_MAX: '8',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`api exited with ${code}: ${out.slice(-2000)}`)));
  });
  child.stdout?.resume();
  return { url, child };
}
