// Subscriber webhooks end to end: signals stored in the database enqueue deliveries for subscribers' endpoints; the
// sender POSTs them to a real local receiver that fails the first attempts (and once loses its answer after
// processing), and the receiver, de-duplicating on the delivery id, processes every signal exactly once.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { deliverWebhooks, WEBHOOK_DELIVERY_DEFAULTS } from './deliver-webhooks';

const SECRET = 'whsec_receiver_0123456789';

/** A receiver that checks each signature, fails an id's first `failFirst` attempts and processes each id once. */
function startReceiver(failFirst: number) {
  const attempts = new Map<string, number>();
  const processed: { id: string; data: { symbol: string } }[] = [];
  let loseAnswerOnce = true;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const id = String(req.headers['neuronetiq-delivery']);
      const [t, v1] = String(req.headers['neuronetiq-signature'])
        .split(',')
        .map((p) => p.split('=')[1]);
      const expected = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
      if (v1 !== expected) {
        res.writeHead(400).end('bad signature');
        return;
      }
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      if (n <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      if (!processed.some((p) => p.id === id)) processed.push({ id, data: JSON.parse(body).data });
      if (loseAnswerOnce) {
        // Processed, but the answer never makes it back: the sender must retry, and the retry must not count twice.
        loseAnswerOnce = false;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  return new Promise<{ url: string; attempts: Map<string, number>; processed: typeof processed; close(): void }>(
    (resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
          attempts,
          processed,
          close: () => server.close(),
        }),
      ),
  );
}

for (const backend of testBackends()) {
  describe(`webhooks to subscribers [${backend}]`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(backend);
      await t.db.query(
        `INSERT INTO ml.models (owner, model_id, name, visibility) VALUES ('vendor', 'm', 'M', 'public')`,
      );
      await t.db.query(
        `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
         VALUES ('fan', 'vendor', 'm', now() - interval '1 hour', 'test', $1)`,
        [randomUUID()],
      );
    });
    after(() => t.close());

    const storeSignals = (symbols: string[], backfilled = false) =>
      t.db.query(
        `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at,
                                        backfilled)
         SELECT 'vendor', 'm', s, '1m', date_trunc('minute', now()), 'BUY', 0.7, now(), $2 FROM unnest($1::text[]) s`,
        [symbols, backfilled],
      );

    test('retries with backoff until the receiver answers 2xx; each signal is processed exactly once', async () => {
      const receiver = await startReceiver(2);
      try {
        const endpoint = await repos.webhooks.registerEndpoint(t.db, {
          subscriber: 'fan',
          url: receiver.url,
          secret: SECRET,
        });
        await repos.webhooks.registerEndpoint(t.db, { subscriber: 'stranger', url: receiver.url, secret: SECRET });
        await storeSignals(['AAA', 'BBB', 'CCC']);
        await storeSignals(['OLD'], true);
        const [{ n } = { n: -1 }] = await t.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM app.webhook_deliveries',
        );
        assert.equal(n, 3, "one per signal for the subscriber's endpoint; none for backfills or non-subscribers");

        let now = Date.parse('2026-12-06T00:00:00Z') + 365 * 86_400_000;
        const pass = () => deliverWebhooks(t.db, WEBHOOK_DELIVERY_DEFAULTS, { nowMs: () => now });
        assert.deepEqual(await pass(), { delivered: 0, retried: 3, dead: 0 });
        assert.deepEqual(await pass(), { delivered: 0, retried: 0, dead: 0 }, 'nothing due before the backoff');
        now += 10_000;
        assert.deepEqual(await pass(), { delivered: 0, retried: 3, dead: 0 }, 'second attempt after 10 s');
        now += 20_000;
        assert.deepEqual(await pass(), { delivered: 2, retried: 1, dead: 0 }, 'third after 20 s; one answer lost');
        now += 40_000;
        assert.deepEqual(await pass(), { delivered: 1, retried: 0, dead: 0 });

        assert.deepEqual(receiver.processed.map((p) => p.data.symbol).sort(), ['AAA', 'BBB', 'CCC']);
        assert.equal(receiver.processed.length, 3, 'exactly once, though one was received four times');
        assert.deepEqual([...receiver.attempts.values()].sort(), [3, 3, 4]);

        // The log, as the subscriber reads it (RLS), and a replay: same id, sent again, still processed once.
        const fan = { role: 'authenticated' as const, claims: { owner: 'fan' } };
        const log = await t.db.asRequest(fan, (tx) => repos.webhooks.list(tx, 10));
        assert.deepEqual(
          log.map((d) => [d.status, d.endpoint_id]),
          [
            ['delivered', endpoint.id],
            ['delivered', endpoint.id],
            ['delivered', endpoint.id],
          ],
        );
        const stranger = { role: 'authenticated' as const, claims: { owner: 'stranger' } };
        assert.deepEqual(await t.db.asRequest(stranger, (tx) => repos.webhooks.list(tx, 10)), []);
        assert.equal(await repos.webhooks.replay(t.db, 'fan', log[0]?.id as string, now), true);
        assert.equal(await repos.webhooks.replay(t.db, 'stranger', log[1]?.id as string, now), false);
        assert.deepEqual(await pass(), { delivered: 1, retried: 0, dead: 0 });
        assert.equal(receiver.processed.length, 3);
      } finally {
        receiver.close();
      }
    });

    test('an endpoint that keeps failing is dead-lettered after the last attempt', async () => {
      await t.db.query('DELETE FROM app.webhook_endpoints');
      await repos.webhooks.registerEndpoint(t.db, {
        subscriber: 'fan',
        url: 'http://127.0.0.1:9/never',
        secret: SECRET,
      });
      await storeSignals(['DDD']);
      let now = Date.parse('2028-01-01T00:00:00Z');
      const options = { ...WEBHOOK_DELIVERY_DEFAULTS, maxAttempts: 3, baseMs: 1_000 };
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push(await deliverWebhooks(t.db, options, { nowMs: () => now }));
        now += 60_000;
      }
      assert.deepEqual(results, [
        { delivered: 0, retried: 1, dead: 0 },
        { delivered: 0, retried: 1, dead: 0 },
        { delivered: 0, retried: 0, dead: 1 },
      ]);
      const [row] = await t.db.query<{ status: string; attempts: number; last_error: string }>(
        `SELECT status, attempts, last_error FROM app.webhook_deliveries WHERE payload -> 'data' ->> 'symbol' = 'DDD'`,
      );
      assert.deepEqual([row?.status, row?.attempts], ['dead', 3]);
      assert.ok(row?.last_error);
    });
  });
}
