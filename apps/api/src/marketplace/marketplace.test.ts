import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { test } from 'node:test';
import {
  MARKETPLACE_SORTS,
  MarketplaceModelDetailSchema,
  MarketplaceModelsResponseSchema,
  type MarketplaceSort,
} from '@neuronetiq/contracts';
import { SignJWT } from 'jose';
import { type ApiTestContext, atTime, describeEachBackend, JWT_SECRET, signal, uniqueSlug } from '../test-helpers';

const uniqueSymbol = () => `T${randomBytes(4).toString('hex').toUpperCase()}`;

interface Seller {
  owner: string;
  login: string;
  auth: { authorization: string };
}

/** A vendor signed in through GitHub (as the web server reports it), with a session token. */
async function githubVendor(ctx: ApiTestContext): Promise<Seller> {
  const login = `Dev-${randomBytes(3).toString('hex')}`;
  const res = await ctx.asService({
    method: 'POST',
    url: '/api/auth/identity',
    payload: {
      provider: 'github',
      provider_user_id: String(randomInt(1, 2 ** 47)),
      user_name: login,
      name: 'A Developer',
      avatar_url: `https://avatars.githubusercontent.com/u/${randomInt(1, 1e6)}`,
    },
  });
  const { user_id, owner } = res.json();
  const token = await new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user_id)
    .setAudience('authenticated')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));
  return { owner, login, auth: { authorization: `Bearer ${token}` } };
}

async function registerModel(ctx: ApiTestContext, seller: Seller, visibility: 'public' | 'private', name?: string) {
  const modelId = uniqueSlug(visibility === 'public' ? 'pub' : 'priv');
  const res = await ctx.inject({
    method: 'POST',
    url: '/api/models',
    headers: seller.auth,
    payload: { model_id: modelId, name: name ?? `Model ${modelId}`, description: `About ${modelId}`, visibility },
  });
  assert.equal(res.statusCode, 201, res.body);
  return modelId;
}

/** On-time signals (each sent 30 s into its bar, from 12:00 on), then the bars (after the last one closed). */
async function storeScored(
  ctx: ApiTestContext,
  owner: string,
  modelId: string,
  symbol: string,
  calls: ('BUY' | 'SELL')[],
): Promise<void> {
  const bars = calls.map((_, i) => `2026-01-05T12:0${i}:00.000Z`);
  for (const [i, decision] of calls.entries()) {
    const barTs = bars[i] as string;
    const res = await atTime(ctx, Date.parse(barTs) + 30_000, () =>
      ctx.asService({
        method: 'POST',
        url: '/api/signals/batch',
        payload: { signals: [signal({ owner, model_id: modelId, symbol, bar_ts: barTs, decision })] },
      }),
    );
    assert.equal(res.statusCode, 200, res.body);
  }
  // Every close is 10% above the one before: each signal (received 30 s into its bar) enters at its bar's close and
  // gains 10% by the next, so BUY calls hit and SELL calls miss.
  const closes = [1, 1.1, 1.21, 1.331, 1.4641];
  const stored = await atTime(ctx, Date.parse('2026-01-05T12:10:00Z'), () =>
    ctx.asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv',
      payload: {
        bars: closes.slice(0, calls.length + 1).map((close, i) => ({
          symbol,
          timeframe: '1m',
          bar_ts: `2026-01-05T12:0${i}:00.000Z`,
          open: i === 0 ? close : (closes[i - 1] as number),
          high: close,
          low: i === 0 ? close : (closes[i - 1] as number),
          close,
        })),
      },
    }),
  );
  assert.equal(stored.statusCode, 200, stored.body);
  // Bars already stored for an earlier model's signals are not re-written: score as the cron's sweep would.
  await ctx.database.db.query(`SELECT ml.score_signals('2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z')`);
}

describeEachBackend('marketplace', (ctx) => {
  test('lists public models with GitHub attribution, series, counts and track record; never private ones', async () => {
    const seller = await githubVendor(ctx());
    const symbol = uniqueSymbol();
    const pub = await registerModel(ctx(), seller, 'public');
    const priv = await registerModel(ctx(), seller, 'private');
    await storeScored(ctx(), seller.owner, pub, symbol, ['BUY', 'BUY', 'SELL']);
    await storeScored(ctx(), seller.owner, priv, symbol, ['BUY']);

    const res = await ctx().inject({ method: 'GET', url: `/api/marketplace/models?owner=${seller.owner}` });
    assert.equal(res.statusCode, 200, res.body);
    const body = MarketplaceModelsResponseSchema.parse(res.json());
    assert.equal(body.total, 1);
    assert.deepEqual(
      body.data.map((m) => m.model_id),
      [pub],
    );
    const [model] = body.data;
    assert.deepEqual(model?.vendor, {
      owner: seller.owner,
      provider: 'github',
      github_login: seller.login,
      avatar_url: model?.vendor.avatar_url,
      profile_url: `https://github.com/${seller.login}`,
      display_name: 'A Developer',
    });
    assert.match(model?.vendor.avatar_url ?? '', /^https:\/\/avatars\.githubusercontent\.com\/u\/\d+$/);
    assert.deepEqual(model?.series, [{ symbol, tf: '1m' }]);
    assert.equal(model?.signal_count, 3);
    assert.equal(model?.last_signal_at, '2026-01-05T12:02:30.000Z'); // the third call, sent 30 s into its bar
    assert.deepEqual(model?.track_record, {
      scored: 3,
      resolved: 3,
      hits: 2,
      hit_rate: 2 / 3,
      mean_return: (0.1 + 0.1 - 0.1) / 3,
      backfilled: false,
    });
    assert.ok(!res.body.includes(priv), 'the private model is not mentioned anywhere');
    assert.ok(!res.body.includes('email'), 'no e-mail leaves the api');
  });

  test('filters by symbol, timeframe and text, sorts, and pages with the total', async () => {
    const seller = await githubVendor(ctx());
    const symbol = uniqueSymbol();
    const a = await registerModel(ctx(), seller, 'public', 'Alpha trend');
    const b = await registerModel(ctx(), seller, 'public', 'Beta reversion');
    const c = await registerModel(ctx(), seller, 'public', 'Gamma breakout');
    await storeScored(ctx(), seller.owner, a, symbol, ['BUY', 'BUY']); // 100%
    await storeScored(ctx(), seller.owner, b, symbol, ['BUY', 'SELL']); // 50%
    await storeScored(ctx(), seller.owner, c, uniqueSymbol(), ['SELL']); // 0%, another symbol

    const list = async (qs: string) => {
      const res = await ctx().inject({ method: 'GET', url: `/api/marketplace/models?owner=${seller.owner}&${qs}` });
      assert.equal(res.statusCode, 200, res.body);
      return MarketplaceModelsResponseSchema.parse(res.json());
    };
    assert.deepEqual(
      (await list(`symbol=${symbol}&tf=1m`)).data.map((m) => m.model_id),
      [a, b],
    );
    assert.equal((await list(`symbol=${symbol}&tf=5m`)).total, 0);
    assert.deepEqual(
      (await list('sort=hit_rate&order=asc')).data.map((m) => m.model_id),
      [c, b, a],
    );
    assert.deepEqual(
      (await list('sort=name&order=asc')).data.map((m) => m.model_id),
      [a, b, c],
    );
    assert.deepEqual(
      (await list('q=REVERSION')).data.map((m) => m.model_id),
      [b],
    );
    assert.equal((await list('q=100%25')).total, 0, 'LIKE wildcards in q are literal');
    const page = await list('sort=name&order=asc&limit=2&offset=2');
    assert.deepEqual([page.total, page.data.map((m) => m.model_id)], [3, [c]]);
    assert.deepEqual([(await list('limit=2&offset=10')).total], [3], 'the total is counted past the last page');
  });

  test('sorts by every figure of the window (both orders, nulls last), filters window, horizon, symbol, timeframe; pages have no duplicate or gap', async () => {
    const seller = await githubVendor(ctx());
    const symbol = uniqueSymbol();
    const other = uniqueSymbol();
    const a = await registerModel(ctx(), seller, 'public', 'A');
    const b = await registerModel(ctx(), seller, 'public', 'B');
    const c = await registerModel(ctx(), seller, 'public', 'C');
    const d = await registerModel(ctx(), seller, 'public', 'D');
    const e = await registerModel(ctx(), seller, 'public', 'E'); // no signal at all
    await storeScored(ctx(), seller.owner, a, symbol, ['BUY', 'BUY', 'BUY', 'BUY']); // 4 of 4
    await storeScored(ctx(), seller.owner, b, symbol, ['BUY', 'SELL', 'BUY']); // 2 of 3
    await storeScored(ctx(), seller.owner, c, symbol, ['SELL', 'SELL', 'BUY']); // 1 of 3
    await storeScored(ctx(), seller.owner, d, other, ['SELL']); // 0 of 1

    const list = async (qs: string) => {
      const res = await ctx().inject({ method: 'GET', url: `/api/marketplace/models?owner=${seller.owner}&${qs}` });
      assert.equal(res.statusCode, 200, res.body);
      return MarketplaceModelsResponseSchema.parse(res.json());
    };
    const all = await list('sort=name&order=asc&limit=100');
    assert.deepEqual(
      all.data.map((m) => m.model_id),
      [a, b, c, d, e],
    );
    const byId = new Map(all.data.map((m) => [m.model_id, m]));
    assert.deepEqual(
      [a, b, c, d].map((id) => [byId.get(id)?.metrics?.hit_rate, byId.get(id)?.metrics?.resolved]),
      [
        [1, 4],
        [2 / 3, 3],
        [1 / 3, 3],
        [0, 1],
      ],
    );
    assert.equal(byId.get(e)?.metrics, null);
    assert.deepEqual(
      all.data.map((m) => [m.provisional, m.window_signals]),
      [
        [true, 4],
        [true, 3],
        [true, 3],
        [true, 1],
        [true, 0],
      ],
    );

    // Every sort key orders by its own value, both ways, models without a value last; ties by owner then model id.
    const value = (m: (typeof all.data)[number], key: MarketplaceSort): number | string | null => {
      if (key === 'name') return m.name.toLowerCase();
      if (key === 'signals') return m.window_signals ?? null;
      if (key === 'signal_count') return m.signal_count;
      if (key === 'last_signal_at') return m.last_signal_at;
      return m.metrics?.[key] ?? null;
    };
    for (const key of MARKETPLACE_SORTS) {
      for (const order of ['asc', 'desc'] as const) {
        const page = await list(`sort=${key}&order=${order}&limit=100`);
        const values = page.data.map((m) => value(m, key));
        const present = values.filter((v) => v !== null);
        assert.deepEqual(values.slice(present.length), Array(values.length - present.length).fill(null), key);
        const sorted = [...present].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        if (order === 'desc') sorted.reverse();
        assert.deepEqual(present, sorted, `sort=${key}&order=${order}: ${JSON.stringify(values)}`);
        assert.equal(page.total, 5, key);
      }
    }
    assert.deepEqual(
      (await list('sort=hit_rate&order=desc')).data.map((m) => m.model_id),
      [a, b, c, d, e],
    );
    assert.deepEqual((await list('sort=hit_rate_low&order=asc')).data.map((m) => m.model_id).slice(0, 1), [d]);
    assert.deepEqual(
      (await list('sort=resolved&order=desc')).data.map((m) => m.model_id),
      [a, b, c, d, e].slice(0, 1).concat([b, c].sort(), [d, e]),
    );

    // Pages of 2 under sorts full of ties and nulls: together exactly the models, each once, in the one-page order.
    for (const key of ['sharpe', 'profit_factor', 'spearman', 'resolved', 'hit_rate'] as const) {
      const whole = (await list(`sort=${key}&limit=100`)).data.map((m) => m.model_id);
      const paged: string[] = [];
      for (let offset = 0; offset < 6; offset += 2) {
        const page = await list(`sort=${key}&limit=2&offset=${offset}`);
        assert.equal(page.total, 5);
        paged.push(...page.data.map((m) => m.model_id));
      }
      assert.deepEqual(paged, whole, key);
      assert.equal(new Set(paged).size, 5, key);
    }

    // Symbol and timeframe (either name) narrow the models and the figures; the window and horizon the figures.
    assert.deepEqual(
      (await list(`symbol=${other}`)).data.map((m) => [m.model_id, m.metrics?.resolved]),
      [[d, 1]],
    );
    assert.equal((await list(`symbol=${symbol}&timeframe=1m`)).total, 3);
    assert.equal((await list('timeframe=5m')).total, 0);
    const h5 = await list('sort=name&order=asc&horizon=5');
    assert.ok(
      h5.data.every((m) => m.metrics === null && m.provisional),
      'no call has a known exit 5 bars on',
    );
    const later = Date.parse('2026-01-20T00:00:00Z');
    const week = await atTime(ctx(), later, () => list('sort=name&order=asc&window=7d'));
    assert.ok(
      week.data.every((m) => m.metrics === null && m.window_signals === 0),
      'calls of 15 days ago are outside 7d',
    );
    const month = await atTime(ctx(), later, () => list('sort=name&order=asc&window=30d'));
    assert.equal(month.data[0]?.metrics?.resolved, 4);
    assert.equal(month.data[0]?.metrics?.period, '30d');
  });

  test('a model page shows the model, vendor, per-series record and latest signals; private ones only to their owner', async () => {
    const seller = await githubVendor(ctx());
    const other = await githubVendor(ctx());
    const symbol = uniqueSymbol();
    const pub = await registerModel(ctx(), seller, 'public');
    const priv = await registerModel(ctx(), seller, 'private');
    await storeScored(ctx(), seller.owner, pub, symbol, ['BUY', 'SELL']);
    await storeScored(ctx(), seller.owner, priv, symbol, ['SELL']);

    const res = await ctx().inject({ method: 'GET', url: `/api/marketplace/models/${seller.owner}/${pub}?signals=1` });
    assert.equal(res.statusCode, 200, res.body);
    const detail = MarketplaceModelDetailSchema.parse(res.json().data);
    assert.equal(detail.description, `About ${pub}`);
    assert.equal(detail.vendor.github_login, seller.login);
    assert.equal(detail.latest_signals.length, 1);
    assert.deepEqual(
      detail.latest_signals.map((s) => [s.model_id, s.bar_ts, s.decision, s.backfilled]),
      [[pub, '2026-01-05T12:01:00.000Z', 'SELL', false]],
    );
    assert.deepEqual(
      detail.track_records.map((r) => [r.symbol, r.tf, r.backfilled, r.resolved, r.hits]),
      [[symbol, '1m', false, 2, 1]],
    );
    assert.equal(detail.track_record_backfilled.scored, 0);
    assert.equal(detail.track_record_live.hit_rate, 0.5);

    const privUrl = `/api/marketplace/models/${seller.owner}/${priv}`;
    const anonymous = await ctx().inject({ method: 'GET', url: privUrl });
    assert.equal(anonymous.statusCode, 404);
    assert.ok(!anonymous.body.includes('SELL'));
    const asOther = await ctx().inject({ method: 'GET', url: privUrl, headers: other.auth });
    assert.equal(asOther.statusCode, 404);
    const asOwner = await ctx().inject({ method: 'GET', url: privUrl, headers: seller.auth });
    assert.equal(asOwner.statusCode, 200, asOwner.body);
    assert.equal(asOwner.json().data.visibility, 'private');
    assert.equal(asOwner.json().data.latest_signals.length, 1);

    const missing = await ctx().inject({ method: 'GET', url: `/api/marketplace/models/${seller.owner}/no-such-model` });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error, 'NOT_FOUND');
  });

  test('a vendor page lists only their public models; an unknown vendor is a 404', async () => {
    const seller = await githubVendor(ctx());
    const pub = await registerModel(ctx(), seller, 'public');
    const priv = await registerModel(ctx(), seller, 'private');
    const res = await ctx().inject({ method: 'GET', url: `/api/marketplace/vendors/${seller.owner}` });
    assert.equal(res.statusCode, 200, res.body);
    const data = res.json().data;
    assert.equal(data.vendor.github_login, seller.login);
    assert.deepEqual(
      data.models.map((m: { model_id: string }) => m.model_id),
      [pub],
    );
    assert.ok(!res.body.includes(priv));
    const unknown = await ctx().inject({ method: 'GET', url: `/api/marketplace/vendors/${uniqueSlug('nobody')}` });
    assert.equal(unknown.statusCode, 404);
  });

  test('backfilled calls are scored apart and a record of only backfilled calls says so', async () => {
    const seller = await githubVendor(ctx());
    const symbol = uniqueSymbol();
    const model = await registerModel(ctx(), seller, 'public');
    await storeScored(ctx(), seller.owner, model, symbol, ['BUY', 'SELL']);
    await ctx().database.db.query('UPDATE ml.signals_latest SET backfilled = true WHERE owner = $1', [seller.owner]);
    // A backfill stores its signals flagged; flagged afterwards here, they are re-scored as the cron's sweep would.
    await ctx().database.db.query(`SELECT ml.score_signals('2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z')`);
    const list = await ctx().inject({ method: 'GET', url: `/api/marketplace/models?owner=${seller.owner}` });
    assert.deepEqual(list.json().data[0].track_record, {
      scored: 2,
      resolved: 2,
      hits: 1,
      hit_rate: 0.5,
      mean_return: 0,
      backfilled: true,
    });
    // A live call since: the listing shows the live record, the page both.
    await storeScored(ctx(), seller.owner, model, uniqueSymbol(), ['BUY']);
    const after = await ctx().inject({ method: 'GET', url: `/api/marketplace/models?owner=${seller.owner}` });
    assert.equal(after.json().data[0].track_record.backfilled, false);
    assert.equal(after.json().data[0].track_record.scored, 1);
    const page = await ctx().inject({ method: 'GET', url: `/api/marketplace/models/${seller.owner}/${model}` });
    const detail = page.json().data;
    assert.equal(detail.track_record_live.scored, 1);
    assert.equal(detail.track_record_backfilled.scored, 2);
    assert.ok(detail.latest_signals.some((s: { backfilled: boolean }) => s.backfilled));
  });

  test('a Google vendor is shown by owner alone: no name, picture or e-mail of the Google account', async () => {
    const local = uniqueSlug('gv');
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/auth/identity',
      payload: {
        provider: 'google',
        provider_user_id: `g${randomInt(1, 2 ** 47)}`,
        email: `${local}@gmail.com`,
        name: 'Private Person',
        avatar_url: 'https://lh3.googleusercontent.com/a/private',
      },
    });
    const owner = res.json().owner as string;
    const register = await ctx().asService({
      method: 'POST',
      url: '/api/models',
      payload: { owner, model_id: 'g-model', name: 'G model' },
    });
    assert.equal(register.statusCode, 201, register.body);
    const vendor = await ctx().inject({ method: 'GET', url: `/api/marketplace/vendors/${owner}` });
    assert.deepEqual(vendor.json().data.vendor, {
      owner,
      provider: 'google',
      github_login: null,
      avatar_url: null,
      profile_url: null,
      display_name: null,
    });
    assert.ok(!vendor.body.includes('Private Person') && !vendor.body.includes('gmail'));
  });

  test('bad queries and paths are 400s naming the field', async () => {
    const cases: [string, string][] = [
      ['/api/marketplace/models?sort=bogus', 'sort'],
      ['/api/marketplace/models?window=1y', 'window'],
      ['/api/marketplace/models?horizon=0', 'horizon'],
      ['/api/marketplace/models?source=paper', 'source'],
      ['/api/marketplace/models?timeframe=2m', 'timeframe'],
      ['/api/marketplace/models?timeframe=1m&tf=5m', 'timeframe'],
      ['/api/marketplace/models/owner/model?window=day', 'window'],
      ['/api/marketplace/models?order=up', 'order'],
      ['/api/marketplace/models?limit=0', 'limit'],
      ['/api/marketplace/models?offset=-1', 'offset'],
      ['/api/marketplace/models?tf=2m', 'tf'],
      ['/api/marketplace/models?symbol=eurusd', 'symbol'],
      ['/api/marketplace/models?q=a%00b', 'q'],
      [`/api/marketplace/models?q=${'x'.repeat(101)}`, 'q'],
      ['/api/marketplace/models?owner=Bad%20Owner', 'owner'],
      ['/api/marketplace/models?extra=1', 'extra'],
      ['/api/marketplace/models/UPPER/model', 'owner'],
      ['/api/marketplace/models/a%00b/model', 'owner'],
      ['/api/marketplace/models/owner/m%00', 'model'],
      ['/api/marketplace/models/owner/model?signals=100000', 'signals'],
      ['/api/marketplace/vendors/%F0%9F%98%80', 'owner'],
    ];
    for (const [url, field] of cases) {
      const res = await ctx().inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      const body = res.json();
      assert.equal(body.error, 'VALIDATION_ERROR', url);
      assert.ok(
        body.details.some((d: { path: string }) => d.path === field),
        `${url} names ${field}: ${res.body}`,
      );
    }
    const sort = (await ctx().inject({ method: 'GET', url: '/api/marketplace/models?sort=bogus' })).json();
    const message = sort.details.find((d: { path: string }) => d.path === 'sort')?.message ?? '';
    for (const key of MARKETPLACE_SORTS) assert.ok(message.includes(key), `the sort error lists ${key}: ${message}`);
    const window = (await ctx().inject({ method: 'GET', url: '/api/marketplace/models?window=1y' })).json();
    assert.deepEqual(
      window.details.map((d: { path: string; message: string }) => [d.path, d.message]),
      [['window', 'window must be one of 7d, 30d, all']],
    );
  });
});

describeEachBackend('PATCH /api/models/:model_id', (ctx) => {
  test('the owner edits name, description and visibility; a model made private leaves the marketplace', async () => {
    const seller = await githubVendor(ctx());
    const model = await registerModel(ctx(), seller, 'public');
    const res = await ctx().inject({
      method: 'PATCH',
      url: `/api/models/${model}`,
      headers: seller.auth,
      payload: { name: '  Renamed  ', description: 'New words', visibility: 'private' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((({ name, description, visibility }) => ({ name, description, visibility }))(res.json().data), {
      name: 'Renamed',
      description: 'New words',
      visibility: 'private',
    });
    const list = await ctx().inject({ method: 'GET', url: `/api/marketplace/models?owner=${seller.owner}` });
    assert.equal(list.json().total, 0);
    const partial = await ctx().inject({
      method: 'PATCH',
      url: `/api/models/${model}`,
      headers: seller.auth,
      payload: { visibility: 'public' },
    });
    assert.equal(partial.json().data.name, 'Renamed', 'fields not sent are kept');
    assert.equal(partial.json().data.visibility, 'public');
  });

  test("another user's model is a 404 and stays unchanged; anonymous is a 401", async () => {
    const seller = await githubVendor(ctx());
    const other = await githubVendor(ctx());
    const model = await registerModel(ctx(), seller, 'public');
    const res = await ctx().inject({
      method: 'PATCH',
      url: `/api/models/${model}`,
      headers: other.auth,
      payload: { visibility: 'private' },
    });
    assert.equal(res.statusCode, 404, res.body);
    const spoof = await ctx().inject({
      method: 'PATCH',
      url: `/api/models/${model}`,
      headers: other.auth,
      payload: { visibility: 'private', owner: seller.owner },
    });
    assert.equal(spoof.statusCode, 403, spoof.body);
    const anonymous = await ctx().inject({ method: 'PATCH', url: `/api/models/${model}`, payload: { name: 'x' } });
    assert.equal(anonymous.statusCode, 401);
    const [row] = await ctx().database.db.query<{ visibility: string; name: string }>(
      'SELECT visibility, name FROM ml.models WHERE owner = $1 AND model_id = $2',
      [seller.owner, model],
    );
    assert.deepEqual(row, { visibility: 'public', name: `Model ${model}` });
  });

  test('bad bodies and ids are 400s naming the field, and nothing changes', async () => {
    const seller = await githubVendor(ctx());
    const model = await registerModel(ctx(), seller, 'public');
    const cases: [string, unknown, string][] = [
      [model, {}, 'name'],
      [model, { name: '   ' }, 'name'],
      [model, { name: 'a\u0000b' }, 'name'],
      [model, { description: 'lone \udc00' }, 'description'],
      [model, { description: 'x'.repeat(2001) }, 'description'],
      [model, { visibility: 'secret' }, 'visibility'],
      [model, { name: 'ok', created_at: '0000-01-01T00:00:00Z' }, 'created_at'],
      ['Bad%20Id', { name: 'x' }, 'model_id'],
      ['a%00b', { name: 'x' }, 'model_id'],
    ];
    for (const [id, payload, field] of cases) {
      const res = await ctx().inject({
        method: 'PATCH',
        url: `/api/models/${id}`,
        headers: seller.auth,
        payload: payload as object,
      });
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      assert.ok(
        res.json().details.some((d: { path: string }) => d.path === field),
        `${id} ${JSON.stringify(payload)} names ${field}: ${res.body}`,
      );
    }
    const [row] = await ctx().database.db.query<{ name: string }>(
      'SELECT name FROM ml.models WHERE owner = $1 AND model_id = $2',
      [seller.owner, model],
    );
    assert.equal(row?.name, `Model ${model}`);
  });
});
