import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { type StreamEvent, StreamEventSchema } from '@neuronetiq/contracts';
import {
  type ApiTestContext,
  createVendor,
  describeEachBackend,
  SERVICE_KEY,
  signal,
  uniqueSlug,
  type Vendor,
} from '../test-helpers';

interface Stream {
  events: StreamEvent[];
  comments: string[];
  /** Resolves with the first event matching `pred` (already received or coming). */
  waitFor(pred: (e: StreamEvent) => boolean, what: string): Promise<StreamEvent>;
  ended: Promise<void>;
  close(): void;
}

const WAIT_MS = 15_000;

let baseUrl = '';
async function urlOf(ctx: ApiTestContext): Promise<string> {
  if (!ctx.app.server.listening) {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  }
  baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  return baseUrl;
}

/** A server-sent-events client over a real socket, parsing frames as EventSource does. */
async function openStream(ctx: ApiTestContext, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  const base = await urlOf(ctx);
  const req = request(`${base}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 200, `GET ${path}`);
  assert.match(String(res.headers['content-type']), /^text\/event-stream/);
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6));
      for (const l of block.split('\n')) if (l.startsWith(':')) comments.push(l.slice(1).trim());
      if (data.length) {
        const event = StreamEventSchema.parse(JSON.parse(data.join('\n')));
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        assert.equal(Number(id), event.id, 'the SSE id is the event id');
        events.push(event);
      }
      end = buffer.indexOf('\n\n');
    }
    for (const w of waiters) w();
  });
  const ended = new Promise<void>((resolve) => {
    res.on('end', resolve);
    res.on('close', resolve);
  });
  return {
    events,
    comments,
    ended,
    close: () => req.destroy(),
    waitFor(pred, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => e.data))}`));
        }, WAIT_MS);
        waiters.add(check);
        check();
      });
    },
  };
}

const storeSignals = async (ctx: ApiTestContext, v: Vendor, overrides: Parameters<typeof signal>[0][]) => {
  const res = await ctx.inject({
    method: 'POST',
    url: '/api/signals/batch',
    headers: v.auth,
    payload: { signals: overrides.map((o) => signal({ owner: v.owner, model_id: v.modelId, ...o })) },
  });
  assert.equal(res.statusCode, 200, res.body);
};

const isSignalOf = (owner: string, bar?: string) => (e: StreamEvent) =>
  e.type === 'signal' && e.data.owner === owner && (bar === undefined || e.data.bar_ts === bar);

describeEachBackend(
  'GET /api/stream',
  (ctx) => {
    test('a signal stored while a client is connected arrives, with its stored fields', async () => {
      const v = await createVendor(ctx());
      const stream = await openStream(ctx(), '/api/stream?types=signal', v.auth);
      try {
        await storeSignals(ctx(), v, [{ bar_ts: '2026-01-05T12:00:00Z', decision: 'SELL', confidence: 0.7 }]);
        const e = await stream.waitFor(isSignalOf(v.owner), 'the stored signal');
        assert.equal(e.type, 'signal');
        assert.deepEqual(
          (({ model_id, symbol, timeframe, bar_ts, decision, confidence, late, backfilled }) => ({
            model_id,
            symbol,
            timeframe,
            bar_ts,
            decision,
            confidence,
            late,
            backfilled,
          }))(e.data),
          {
            model_id: v.modelId,
            symbol: 'EURUSD',
            timeframe: '1m',
            bar_ts: '2026-01-05T12:00:00.000Z',
            decision: 'SELL',
            confidence: 0.7,
            late: false,
            backfilled: false,
          },
        );
      } finally {
        stream.close();
      }
    });

    test('a client that dropped resumes with Last-Event-ID (or ?last_event_id=) and misses nothing', async () => {
      const v = await createVendor(ctx());
      const first = await openStream(ctx(), '/api/stream', v.auth);
      await storeSignals(ctx(), v, [{ bar_ts: '2026-01-05T12:00:00Z' }]);
      const seen = await first.waitFor(isSignalOf(v.owner), 'the first signal');
      first.close();
      await first.ended;
      const bars = ['2026-01-05T11:57:00Z', '2026-01-05T11:58:00Z', '2026-01-05T11:59:00Z'];
      // Three writes while disconnected, each its own statement and log row.
      for (const bar_ts of bars) await storeSignals(ctx(), v, [{ bar_ts }]);
      const expected = bars.map((b) => new Date(b).toISOString());

      const resumes: [string, Record<string, string>][] = [
        ['/api/stream', { ...v.auth, 'last-event-id': String(seen.id) }],
        [`/api/stream?last_event_id=${seen.id}`, v.auth],
      ];
      for (const [path, headers] of resumes) {
        const again = await openStream(ctx(), path, headers);
        try {
          await again.waitFor(isSignalOf(v.owner, expected[2]), 'the last signal');
          const mine = again.events.filter(isSignalOf(v.owner));
          assert.deepEqual(
            mine.map((e) => e.data.bar_ts),
            expected,
          );
          assert.ok(mine.every((e) => e.id > seen.id));
          assert.deepEqual(
            mine.map((e) => e.id),
            [...mine.map((e) => e.id)].sort((a, b) => a - b),
          );
        } finally {
          again.close();
        }
      }
    });

    test("another owner's private signals and consensus never arrive; public models' signals and bars do, also anonymously", async () => {
      const a = await createVendor(ctx());
      const b = await createVendor(ctx());
      const privateModel = uniqueSlug('priv');
      const reg = await ctx().inject({
        method: 'POST',
        url: '/api/models',
        headers: a.auth,
        payload: { model_id: privateModel, name: 'Secret', visibility: 'private' },
      });
      assert.equal(reg.statusCode, 201, reg.body);
      const asB = await openStream(ctx(), '/api/stream', b.auth);
      const anonymous = await openStream(ctx(), '/api/stream');
      try {
        await storeSignals(ctx(), a, [{ model_id: privateModel, bar_ts: '2026-01-05T12:00:00Z' }]);
        const consensus = await ctx().inject({
          method: 'POST',
          url: '/api/consensus/store',
          headers: a.auth,
          payload: {
            owner: a.owner,
            symbol: 'EURUSD',
            timeframe: '1m',
            bar_ts: '2026-01-05T12:00:00Z',
            decision: 'BUY',
            confidence: 0.6,
            contributors: [{ model_id: privateModel, decision: 'BUY', confidence: 0.6, weight: 1 }],
          },
        });
        assert.equal(consensus.statusCode, 204, consensus.body);
        const symbol = `S${uniqueSlug('x').slice(2).toUpperCase()}`;
        const bar = await ctx().asService({
          method: 'POST',
          url: '/api/marketdata/ohlcv',
          payload: {
            bars: [{ symbol, timeframe: '1m', bar_ts: '2026-01-05T11:59:00Z', open: 1, high: 1, low: 1, close: 1 }],
          },
        });
        assert.equal(bar.statusCode, 200, bar.body);
        // Stored last: once it has arrived, everything stored before it has been decided on.
        await storeSignals(ctx(), a, [{ bar_ts: '2026-01-05T12:00:00Z' }]);

        for (const [who, s] of [
          ['vendor B', asB],
          ['anonymous', anonymous],
        ] as const) {
          await s.waitFor(isSignalOf(a.owner), `${who}: the public model's signal`);
          await s.waitFor((e) => e.type === 'bar' && e.data.symbol === symbol, `${who}: the bar`);
          const ofA = s.events.filter((e) => e.data.owner === a.owner);
          assert.deepEqual(
            ofA.map((e) => [e.type, e.data.model_id]),
            [['signal', a.modelId]],
            `${who} sees only the public model's signal of A`,
          );
          assert.ok(!JSON.stringify(s.events).includes(privateModel), `${who} never sees the private model`);
        }
      } finally {
        asB.close();
        anonymous.close();
      }
      // The owner's own stream, resumed from the start of this test, has all three.
      const own = await openStream(ctx(), '/api/stream?last_event_id=0', a.auth);
      try {
        await own.waitFor(isSignalOf(a.owner, '2026-01-05T12:00:00.000Z'), 'own signals');
        await own.waitFor((e) => e.type === 'consensus' && e.data.owner === a.owner, 'own consensus');
        assert.ok(own.events.some((e) => e.data.model_id === privateModel));
      } finally {
        own.close();
      }
    });

    test('a bulk write of bars is logged as the newest 100 bars of each series', async () => {
      const symbol = `B${uniqueSlug('x').slice(2).toUpperCase()}`;
      const start = Date.parse('2026-01-01T00:00:00Z');
      const bars = Array.from({ length: 250 }, (_, i) => ({
        symbol,
        timeframe: '1m',
        bar_ts: new Date(start + i * 60_000).toISOString(),
        open: 1,
        high: 1,
        low: 1,
        close: 1,
      }));
      const res = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } });
      assert.equal(res.statusCode, 200, res.body);
      const rows = await ctx().database.db.query<{ bar_ts: string[] }>(
        'SELECT bar_ts FROM app.event_log WHERE symbol = $1',
        [symbol],
      );
      assert.equal(rows.length, 1);
      const logged = (rows[0]?.bar_ts ?? []).map((t) => new Date(t).toISOString());
      assert.deepEqual(
        logged,
        bars.slice(150).map((b) => b.bar_ts),
      );
    });

    test('filters by symbol and type', async () => {
      const v = await createVendor(ctx());
      const stream = await openStream(ctx(), '/api/stream?symbol=GBPUSD&types=signal', v.auth);
      try {
        await storeSignals(ctx(), v, [{ symbol: 'EURUSD' }]);
        await storeSignals(ctx(), v, [{ symbol: 'GBPUSD' }]);
        await stream.waitFor(isSignalOf(v.owner), 'the GBPUSD signal');
        assert.deepEqual(
          stream.events.map((e) => [e.type, e.data.symbol]),
          [['signal', 'GBPUSD']],
        );
      } finally {
        stream.close();
      }
    });

    test('heartbeats keep an idle stream open', async () => {
      const stream = await openStream(ctx(), '/api/stream');
      const deadline = Date.now() + WAIT_MS;
      while (!stream.comments.includes('heartbeat') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(stream.comments.includes('heartbeat'), `comments: ${stream.comments.join(', ')}`);
      assert.ok(stream.comments.includes('connected'));
      stream.close();
    });

    test('bad resume ids and queries are 400s naming the field', async () => {
      const cases: [string, Record<string, string>, string][] = [
        ['/api/stream', { 'last-event-id': 'abc' }, 'headers.last-event-id'],
        ['/api/stream', { 'last-event-id': '-1' }, 'headers.last-event-id'],
        ['/api/stream', { 'last-event-id': '1\u0000' }, 'headers.last-event-id'],
        ['/api/stream?last_event_id=1.5', {}, 'last_event_id'],
        ['/api/stream?last_event_id=99999999999999999999', {}, 'last_event_id'],
        ['/api/stream?types=signal,trade', {}, 'types'],
        ['/api/stream?symbol=eur%00usd', {}, 'symbol'],
        ['/api/stream?tf=2m', {}, 'tf'],
        ['/api/stream?follow=1', {}, 'follow'],
      ];
      for (const [url, headers, field] of cases) {
        const res = await ctx()
          .inject({ method: 'GET', url, headers })
          .catch((err: Error) => ({ statusCode: 0, body: err.message, json: () => ({}) }));
        if (res.statusCode === 0) {
          // A NUL byte in a header never reaches the api: Node's HTTP client refuses to send it.
          assert.match(res.body, /Invalid character|header/i, url);
          continue;
        }
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(headers)}: ${res.body}`);
        const body = res.json() as { details: { path: string }[] };
        assert.ok(
          body.details.some((d) => d.path === field),
          `${url} ${JSON.stringify(headers)} names ${field}: ${res.body}`,
        );
      }
    });
  },
  (database) => ({ stream: { databaseUrl: database.url, pollMs: 50, heartbeatMs: 100 } }),
);

describeEachBackend(
  'GET /api/stream ordering',
  (ctx) => {
    test('an event committed after a later id is still delivered, in id order (no gap is skipped while in flight)', async (t) => {
      if (ctx().backend === 'pglite') {
        t.skip('the embedded database runs one transaction at a time: ids always commit in order');
        return;
      }
      const v = await createVendor(ctx());
      const stream = await openStream(ctx(), '/api/stream?types=signal', v.auth);
      const session = await ctx().database.db.session();
      try {
        // Transaction 1 takes the lower id and stays open…
        await session.query('BEGIN');
        await session.query(
          `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence)
           VALUES ($1, $2, 'EURUSD', '1m', '2026-01-05T11:00:00Z', 'BUY', 0.5)`,
          [v.owner, v.modelId],
        );
        // …while transaction 2 takes the next id and commits.
        await storeSignals(ctx(), v, [{ bar_ts: '2026-01-05T12:00:00Z' }]);
        const [row] = await ctx().database.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM app.event_log WHERE owner = $1`,
          [v.owner],
        );
        assert.equal(row?.n, 1, 'the later write is committed and visible in the log');
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(stream.events.filter(isSignalOf(v.owner)), [], 'nothing is handed out past the open gap');
        await session.query('COMMIT');
        await stream.waitFor(isSignalOf(v.owner, '2026-01-05T12:00:00.000Z'), 'the later signal');
        assert.deepEqual(
          stream.events.filter(isSignalOf(v.owner)).map((e) => e.data.bar_ts),
          ['2026-01-05T11:00:00.000Z', '2026-01-05T12:00:00.000Z'],
        );
      } finally {
        await session.query('ROLLBACK').catch(() => {});
        session.release();
        stream.close();
      }
    });

    test('closing the api ends open streams cleanly', async () => {
      const stream = await openStream(ctx(), '/api/stream', { authorization: `Bearer ${SERVICE_KEY}` });
      await ctx().app.close();
      await stream.ended;
    });
  },
  (database) => ({ stream: { databaseUrl: database.url, pollMs: 50 } }),
);
