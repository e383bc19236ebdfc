// The whole bar-close flow in one process on the embedded database: real bars imported from ../shared/data, the
// real api (buildApp) and worker (buildWorkerApp) listening on 127.0.0.1, the orchestrator on a manual clock for a
// few simulated bar closes, then the api cut mid-cycle and the outbox drained by the cron.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@neuronetiq/api';
import { silentLogger } from '@neuronetiq/client';
import { TIMEFRAME_MS } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase } from '@neuronetiq/db/testing';
import { BUILTIN_MODELS, isInsufficientBars } from '@neuronetiq/models';
import { computeConsensus, createOrchestrator, type OrchestratorConfigInput } from '@neuronetiq/orchestrator';
import { createManualClock } from '@neuronetiq/service/clock';
import { buildWorkerApp } from '@neuronetiq/worker';
import type { FastifyInstance } from 'fastify';
import { createCron } from './cron';
import { importCsvToDatabase } from './import/run-import';

const DATA = fileURLToPath(new URL('../../../../shared/data/backtestingpy-eurusd-h1/EURUSD.csv', import.meta.url));
const KEY = 'e2e-service-role-key-0123456789abcdef';
const HOUR = TIMEFRAME_MS['1h'];
// A Wednesday inside the file's range (2017-04-19 → 2018-02-07, UTC).
const T0 = Date.parse('2018-01-10T12:00:00Z');
const SETTLE = 1_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('end to end on the embedded database', () => {
  if (!existsSync(DATA)) {
    test('real bars from ../shared/data', (t) => t.skip(`${DATA} is absent (a fresh clone has no ../shared/data)`));
    return;
  }
  const clock = createManualClock(T0 + SETTLE);
  let tdb: TestDatabase;
  let api: FastifyInstance;
  let worker: FastifyInstance;
  let apiUrl: string;
  let workerUrl: string;
  let apiDown = false;
  let killApiOnPredict = false;

  before(async () => {
    tdb = await createTestDatabase('pglite');
    api = await buildApp({
      db: tdb.db,
      serviceRoleKey: KEY,
      logger: false,
      now: clock.now,
      rateLimitPerMinute: 100_000,
    });
    // "Killing" the api: while down, every connection is cut as a request arrives (the client sees a reset).
    api.addHook('onRequest', async (request, reply) => {
      if (!apiDown) return;
      reply.hijack();
      request.raw.socket.destroy();
    });
    worker = buildWorkerApp({ bodyLimitBytes: 64 * 1024 * 1024, maxBarsPerRequest: 1_000_000 });
    // The moment to kill the api: the worker is answering, so the bars were read and no write has been sent yet.
    worker.addHook('onSend', async (request) => {
      if (killApiOnPredict && request.url === '/v1/predict/batch') apiDown = true;
    });
    apiUrl = await listen(api);
    workerUrl = await listen(worker);
  });
  after(async () => {
    await api?.close();
    await worker?.close();
    await tdb?.close();
  });

  /** The orchestrator of these tests: EURUSD 1h through the real api and worker, on the manual clock. */
  const orchestratorOn = (over: Partial<OrchestratorConfigInput> = {}) =>
    createOrchestrator(
      {
        owner: 'pacey999',
        series: [{ symbol: 'EURUSD', timeframe: '1h' }],
        infraApiUrl: apiUrl,
        workerUrl,
        serviceRoleKey: KEY,
        databaseUrl: tdb.url,
        settleMs: SETTLE,
        catchUpBars: 0,
        ...over,
      },
      { clock, db: tdb.db, logger: silentLogger },
    );

  /** What the signals for the close at `closeMs` must be: every built-in model on the bars up to that close. */
  async function expected(closeMs: number) {
    const window = Math.max(...BUILTIN_MODELS.map((m) => m.requiredBars));
    const bars = (
      await repos.ohlcv.find(tdb.db, {
        symbol: 'EURUSD',
        tf: '1h',
        limit: window,
        to: iso(closeMs - HOUR),
      })
    ).reverse();
    assert.equal(bars.at(-1)?.bar_ts, iso(closeMs - HOUR), 'the closed bar is in the data');
    const votes = BUILTIN_MODELS.flatMap((m) => {
      const out = m.predict(bars);
      return isInsufficientBars(out) ? [] : [{ model_id: m.id, decision: out.decision, confidence: out.confidence }];
    });
    assert.equal(votes.length, BUILTIN_MODELS.length, 'every model has enough history');
    return { votes, consensus: computeConsensus(votes) };
  }

  async function stored(closeMs: number) {
    const signals = await tdb.db.query<{ model_id: string; decision: string; confidence: string; late: boolean }>(
      `SELECT model_id, decision, confidence, late FROM ml.signals_latest
       WHERE owner = 'pacey999' AND symbol = 'EURUSD' AND timeframe = '1h' AND bar_ts = $1 ORDER BY model_id`,
      [iso(closeMs)],
    );
    const [consensus] = await tdb.db.query<{
      decision: string;
      confidence: string;
      contributors: unknown;
      late: boolean;
    }>(
      `SELECT decision, confidence, contributors, late FROM ml.consensus_latest
       WHERE owner = 'pacey999' AND symbol = 'EURUSD' AND timeframe = '1h' AND bar_ts = $1`,
      [iso(closeMs)],
    );
    return { signals, consensus };
  }

  async function assertExact(closeMs: number) {
    const want = await expected(closeMs);
    const got = await stored(closeMs);
    assert.deepEqual(
      got.signals.map((s) => [s.model_id, s.decision, Number(s.confidence), s.late]),
      [...want.votes]
        .sort((a, b) => a.model_id.localeCompare(b.model_id))
        .map((v) => [v.model_id, v.decision, v.confidence, false]),
    );
    assert.ok(got.consensus, `consensus for ${iso(closeMs)}`);
    assert.equal(got.consensus.decision, want.consensus.decision);
    assert.equal(Number(got.consensus.confidence), want.consensus.confidence);
    assert.deepEqual(got.consensus.contributors, want.consensus.contributors);
    assert.equal(got.consensus.late, false);
  }

  test('imported real bars, three simulated bar closes: the exact signals and consensus are stored, on time', async () => {
    const report = await importCsvToDatabase(tdb.db, DATA, { symbol: 'EURUSD', timeframe: '1h' });
    assert.equal(report.stored, 5000);
    const orchestrator = orchestratorOn();
    for (const close of [T0, T0 + HOUR, T0 + 2 * HOUR]) {
      await clock.advanceTo(close + SETTLE);
      const [r] = await orchestrator.tick();
      assert.equal(r?.barTs, iso(close));
      assert.equal(r?.signals.stored, BUILTIN_MODELS.length);
      assert.equal(r?.consensus.stored, 1);
      await assertExact(close);
    }
  });

  test('the api dies mid-cycle: every item is parked, and arrives once the api is back and the outbox drains', async () => {
    const close = T0 + 3 * HOUR;
    await clock.advanceTo(close + SETTLE);
    const orchestrator = orchestratorOn({ retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    killApiOnPredict = true;
    const [r] = await orchestrator.tick();
    killApiOnPredict = false;
    assert.equal(r?.signals.outboxed, BUILTIN_MODELS.length);
    assert.equal(r?.consensus.outboxed, 1);
    assert.equal((await stored(close)).signals.length, 0);
    assert.equal((await repos.outbox.counts(tdb.db)).pending, BUILTIN_MODELS.length + 1);

    apiDown = false;
    const cron = createCron(
      { infraApiUrl: apiUrl, serviceRoleKey: KEY, databaseUrl: tdb.url, listen: false },
      { clock, db: tdb.db, logger: silentLogger },
    );
    const drained = await cron.drainNow();
    assert.equal(drained.delivered, BUILTIN_MODELS.length + 1);
    assert.deepEqual(await repos.outbox.counts(tdb.db), { pending: 0, dead: 0 });
    await assertExact(close);
  });

  test('the cron scores every stored signal against the real bars, and the next consensus weighs the track records', async () => {
    const cron = createCron(
      { infraApiUrl: apiUrl, serviceRoleKey: KEY, databaseUrl: tdb.url, listen: false },
      { clock, db: tdb.db, logger: silentLogger },
    );
    // The bars were imported before the signals, so no trigger scored them: the sweep does, one row per horizon.
    const closes = [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR];
    assert.equal(await cron.scoreNow(), closes.length * BUILTIN_MODELS.length * 3);
    assert.equal(await cron.scoreNow(), 0, 'a second sweep changes nothing');

    // Each signal (for the bar opening at `close`, received a second later) is entered at that bar's close and exited
    // at the next bar's close, from the file.
    const want = new Map<string, { resolved: number; hits: number }>();
    for (const close of closes) {
      const [exit, entry] = await repos.ohlcv.find(tdb.db, {
        symbol: 'EURUSD',
        tf: '1h',
        limit: 2,
        to: iso(close + HOUR),
      });
      assert.deepEqual([entry?.bar_ts, exit?.bar_ts], [iso(close), iso(close + HOUR)]);
      assert.ok(entry && exit);
      for (const s of (await stored(close)).signals) {
        const w = want.get(s.model_id) ?? { resolved: 0, hits: 0 };
        if (s.decision !== 'NEUTRAL' && exit.close !== entry.close) {
          w.resolved++;
          if ((s.decision === 'BUY') === exit.close > entry.close) w.hits++;
        }
        want.set(s.model_id, w);
      }
    }
    const res = await fetch(`${apiUrl}/api/performance?owner=pacey999&symbol=EURUSD&tf=1h`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(res.status, 200);
    const records = (
      (await res.json()) as { data: { model_id: string; scored: number; resolved: number; hits: number }[] }
    ).data;
    assert.deepEqual(
      records.map((r) => [r.model_id, r.scored, r.resolved, r.hits]),
      [...want.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, w]) => [id, closes.length, w.resolved, w.hits]),
    );

    // The orchestrator reads them at the next close; with at least 2 resolved calls a record sets the weight.
    const close = T0 + 4 * HOUR;
    await clock.advanceTo(close + SETTLE);
    const orchestrator = orchestratorOn({ trackRecordMinResolved: 2 });
    const [r] = await orchestrator.tick();
    assert.equal(r?.consensus.stored, 1);
    const weights = Object.fromEntries(
      [...want.entries()]
        .filter(([, w]) => w.resolved >= 2)
        .map(([id, w]) => [id, (2 * (w.hits + 1)) / (w.resolved + 2)]),
    );
    assert.ok(Object.keys(weights).length > 0, 'some model has a track record on this data');
    const { votes } = await expected(close);
    const consensus = computeConsensus(votes, { weights });
    const got = await stored(close);
    assert.deepEqual(got.consensus?.contributors, consensus.contributors);
    assert.equal(got.consensus?.decision, consensus.decision);
    assert.equal(Number(got.consensus?.confidence), consensus.confidence);
  });
});
