// The real mp (built as published) against the real api on each database backend, with volume: a signals file of
// more than one batch (pushed twice) and bars paged over more than one request.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import {
  type Api,
  buildMp,
  createGithubUser,
  iso,
  loginWithNewKey,
  MIN,
  type MpRunner,
  mpRunner,
  openBar,
  SERVICE_KEY,
  startApi,
} from './test-support';

let mpPath: string;
before(async () => {
  mpPath = await buildMp();
});

for (const backend of testBackends()) {
  describe(`mp signals push --file and ohlcv get against the api [${backend}]`, () => {
    let database: TestDatabase;
    let api: Api;
    let mp: MpRunner;
    let user: Awaited<ReturnType<typeof createGithubUser>>;

    before(async () => {
      database = await createTestDatabase(backend);
      api = await startApi(database.db);
      mp = mpRunner(mpPath, api.url);
      user = await createGithubUser(database.db);
      const key = await loginWithNewKey(mp, api.url, user.token);
      const model = await fetch(`${api.url}/api/models`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model_id: 'rsi-starter', name: 'RSI starter' }),
      });
      assert.equal(model.status, 201);
    });
    after(async () => {
      await api?.close();
      await database?.close();
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
  });
}
