// The figures of docs/metrics.md through the api: GET /api/performance/metrics and /curve, and the marketplace pages.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { PerformanceMetricsResponseSchema } from '@neuronetiq/contracts';
import { type ApiTestContext, createVendor, describeEachBackend, signal } from '../test-helpers';

const MIN = 60_000;
const T = Date.parse('2026-01-05T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** One BUY per minute 12:00 … 12:03 on a rising series: four hits at 1 bar, entered at each bar's close. */
async function scoredModel(ctx: ApiTestContext) {
  const v = await createVendor(ctx);
  const symbol = `Q${randomBytes(4).toString('hex').toUpperCase()}`;
  for (let i = 0; i < 4; i++) {
    ctx.clock.now = T + i * MIN + 30_000;
    const res = await ctx.asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: signal({ owner: v.owner, model_id: v.modelId, symbol, bar_ts: iso(T + i * MIN), confidence: 0.8 }),
    });
    assert.equal(res.statusCode, 204, res.body);
  }
  ctx.clock.now = T + 30 * MIN;
  const closes = [100, 101, 103, 102, 104];
  const bars = await ctx.asService({
    method: 'POST',
    url: '/api/marketdata/ohlcv',
    payload: {
      bars: closes.map((close, i) => ({
        symbol,
        timeframe: '1m',
        bar_ts: iso(T + i * MIN),
        open: close,
        high: close,
        low: close,
        close,
      })),
    },
  });
  assert.equal(bars.statusCode, 200, bars.body);
  return { ...v, symbol };
}

describeEachBackend('GET /api/performance/metrics and /curve, and the marketplace figures', (ctx) => {
  test("a public model's figures are anyone's: counts, hit rate and its interval, returns, provisional", async () => {
    const v = await scoredModel(ctx());
    const res = await ctx().inject({ method: 'GET', url: `/api/performance/metrics?owner=${v.owner}&period=7d` });
    assert.equal(res.statusCode, 200, res.body);
    const body = PerformanceMetricsResponseSchema.parse(res.json());
    assert.equal(body.total, 1);
    const [m] = body.data;
    // Entries 100, 101, 103, 102 and exits 101, 103, 102, 104: up, up, down, up → 3 hits of 4 BUYs.
    assert.deepEqual(
      [m?.model_id, m?.scored, m?.resolved, m?.hits, m?.hit_rate, m?.signals, m?.late, m?.provisional],
      [v.modelId, 4, 4, 3, 0.75, 4, 0, true],
    );
    assert.ok((m?.hit_rate_low ?? 1) < 0.75 && (m?.hit_rate_high ?? 0) > 0.75);
    const vendor = await ctx().inject({
      method: 'GET',
      url: `/api/performance/metrics?owner=${v.owner}&group=vendor&horizon=1&period=all`,
    });
    assert.equal(vendor.json().data[0].model_id, null);
    assert.equal(vendor.json().data[0].scored, 4);
  });

  test('the curve accumulates the position returns; the model and vendor pages carry figures and curve', async () => {
    const v = await scoredModel(ctx());
    const res = await ctx().inject({
      method: 'GET',
      url: `/api/performance/curve?owner=${v.owner}&model_id=${v.modelId}&period=all`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const curve = res.json().data as { equity: number; drawdown: number; n: number }[];
    assert.deepEqual(
      curve.map((p) => p.n),
      [1, 2, 3, 4],
    );
    const r = [1 / 100, 2 / 101, -1 / 103, 2 / 102];
    assert.ok(Math.abs((curve[3]?.equity ?? 0) - r.reduce((a, b) => a + b, 0)) < 1e-12);
    assert.ok(Math.abs((curve[2]?.drawdown ?? 0) - 1 / 103) < 1e-12);

    const page = await ctx().inject({ method: 'GET', url: `/api/marketplace/models/${v.owner}/${v.modelId}` });
    assert.equal(page.statusCode, 200, page.body);
    const detail = page.json().data;
    assert.deepEqual(
      detail.stats.map((s: { period: string; horizon_bars: number }) => `${s.period}@${s.horizon_bars}`),
      ['7d@1', '30d@1', 'all@1'],
      'only the 1-bar horizon has resolved signals',
    );
    assert.equal(detail.curve.length, 4);
    assert.equal(detail.price_pence, null);
    const vendor = await ctx().inject({ method: 'GET', url: `/api/marketplace/vendors/${v.owner}` });
    assert.equal(vendor.json().data.stats[0].scored, 4);
  });

  test('bad queries are 400 naming the field', async () => {
    for (const [url, field] of [
      ['/api/performance/metrics?period=1y', 'period'],
      ['/api/performance/metrics?group=team', 'group'],
      ['/api/performance/metrics?sort=luck', 'sort'],
      ['/api/performance/metrics?source=demo', 'source'],
      ['/api/performance/metrics?horizon=0', 'horizon'],
      ['/api/performance/metrics?owner=a%00b', 'owner'],
      ['/api/performance/metrics?symbol=%ED%A0%80', 'symbol'],
      ['/api/performance/metrics?limit=101', 'limit'],
      ['/api/performance/curve', 'owner'],
      ['/api/performance/curve?owner=x&points=0', 'points'],
    ] as const) {
      const res = await ctx().inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.ok(
        res.json().details.some((d: { path: string }) => d.path === field),
        `${url}: ${JSON.stringify(res.json().details)}`,
      );
    }
  });
});
