// Subscriptions, prices, payments and revenue through the api, with the api's clock pinned: a vendor prices a model, a
// user subscribes (and reads live), cancels (and reads delayed again), the provider's webhooks record payments once,
// and the month's statement is closed and served byte for byte.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createTestPaymentProvider } from '../payments/test-payment-provider';
import { type ApiTestContext, createUser, describeEachBackend, signal, uniqueSlug } from '../test-helpers';

const payments = createTestPaymentProvider({ webhookSecret: 'whsec_test_0123456789abcdef' });

/** A vendor's model and a new user subscribed to it at `iso` (the api's clock); `ref`: the provider's reference. */
async function subscribedAt(c: Parameters<typeof vendorWithModel>[0], iso: string) {
  const v = await vendorWithModel(c);
  const fan = await userWithOwner(c);
  c.clock.now = at(iso);
  const sub = await c.inject({
    method: 'POST',
    url: '/api/subscriptions',
    headers: fan.auth,
    payload: { owner: v.owner, model_id: v.modelId },
  });
  assert.equal(sub.statusCode, 201, sub.body);
  return { v, fan, ref: sub.json().data.provider_ref as string };
}

/** A signed `charge.refunded` delivery of `pence` for subscription `ref`, stamped `createdS`, sent at `sentMs`. */
const refundEvent = (ref: string, id: string, createdS: number, pence: number, sentMs: number) =>
  payments.deliver(
    {
      id,
      type: 'charge.refunded',
      created: Math.floor(createdS),
      data: {
        object: {
          id: `ch_${ref}`,
          subscription: ref,
          amount_refunded: pence,
          refunds: { data: [{ id: `re_${ref}` }] },
        },
      },
    },
    sentMs,
  );
const at = (iso: string) => Date.parse(iso);

async function userWithOwner(ctx: ApiTestContext) {
  const login = `u${randomBytes(4).toString('hex')}`;
  const user = await createUser(ctx, { provider: 'github', login });
  const me = await ctx.inject({ method: 'GET', url: '/api/me', headers: user.auth });
  assert.equal(me.statusCode, 200, me.body);
  return { ...user, owner: me.json().data.owner as string };
}

async function vendorWithModel(ctx: ApiTestContext, visibility: 'public' | 'private' = 'public') {
  const vendor = await userWithOwner(ctx);
  const modelId = uniqueSlug('m');
  const res = await ctx.inject({
    method: 'POST',
    url: '/api/models',
    headers: vendor.auth,
    payload: { model_id: modelId, name: 'Priced model', visibility },
  });
  assert.equal(res.statusCode, 201, res.body);
  return { ...vendor, modelId };
}

describeEachBackend(
  'subscriptions, payments and revenue',
  (ctx) => {
    test('a vendor prices its model in pence, shown with the delay on its page; bad prices and foreign models are refused', async () => {
      const v = await vendorWithModel(ctx());
      const put = (modelId: string, body: unknown, headers = v.auth) =>
        ctx().inject({ method: 'PUT', url: `/api/models/${modelId}/price`, headers, payload: body as object });
      const ok = await put(v.modelId, { price_pence: 999 });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().data, {
        owner: v.owner,
        model_id: v.modelId,
        price_pence: 999,
        effective_from: new Date(ctx().clock.now).toISOString(),
      });
      // The model's page data carries the price and the delay non-subscribers wait (24 h by default), for anyone.
      const page = await ctx().inject({ method: 'GET', url: `/api/marketplace/models/${v.owner}/${v.modelId}` });
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().data.price_pence, 999);
      assert.equal(page.json().data.delay_seconds, 86_400);
      for (const body of [
        { price_pence: -1 },
        { price_pence: 1.5 },
        { price_pence: '100' },
        { price_pence: 1e9 },
        {},
      ]) {
        const res = await put(v.modelId, body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.ok(
          res.json().details.some((d: { path: string }) => d.path === 'price_pence'),
          res.body,
        );
      }
      const other = await vendorWithModel(ctx());
      assert.equal((await put(other.modelId, { price_pence: 1 })).statusCode, 404, "another owner's model");
      assert.equal((await put('bad%00id', { price_pence: 1 })).statusCode, 400);
      assert.equal((await put(v.modelId, { price_pence: 1 }, {} as never)).statusCode, 401);
    });

    test('a subscriber reads the live signal; cancelled, only the delayed ones; others never the live one', async () => {
      const v = await vendorWithModel(ctx());
      const fan = await userWithOwner(ctx());
      const other = await userWithOwner(ctx());
      const symbol = `S${randomBytes(3).toString('hex').toUpperCase()}`;
      const stored = await ctx().asService({
        method: 'POST',
        url: '/api/signals/store',
        payload: signal({ owner: v.owner, model_id: v.modelId, symbol }),
      });
      assert.equal(stored.statusCode, 204, stored.body);
      const liveSignals = async (headers: Record<string, string>) => {
        const res = await ctx().inject({
          method: 'GET',
          url: `/api/marketplace/models/${v.owner}/${v.modelId}`,
          headers,
        });
        assert.equal(res.statusCode, 200, res.body);
        // The database's clock is far past the api's pinned one, so compare with what the database thinks is recent.
        return (res.json().data.latest_signals as { symbol: string }[]).filter((s) => s.symbol === symbol).length;
      };
      // The signal was received at the api's pinned clock (2026-01-05), long before the database's now: delayed for
      // everyone already. Make it fresh so that the delay applies.
      await ctx().database.db.query('UPDATE ml.signals_latest SET received_at = now() WHERE symbol = $1', [symbol]);
      assert.equal(await liveSignals(fan.auth), 0, 'not subscribed yet');

      const sub = await ctx().inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: fan.auth,
        payload: { owner: v.owner, model_id: v.modelId },
      });
      assert.equal(sub.statusCode, 201, sub.body);
      // Started at the api's pinned clock, long before the database's now: active.
      assert.equal(await liveSignals(fan.auth), 1, 'the subscriber reads it live');
      assert.equal(await liveSignals(other.auth), 0, 'another user does not');
      assert.equal(await liveSignals({}), 0, 'nor does anyone anonymous');
      assert.equal(payments.subscriptions.get(sub.json().data.provider_ref)?.cancelled, false);

      const again = await ctx().inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: fan.auth,
        payload: { owner: v.owner, model_id: v.modelId },
      });
      assert.equal(again.statusCode, 409, again.body);

      const cancel = await ctx().inject({
        method: 'DELETE',
        url: `/api/subscriptions/${sub.json().data.id}`,
        headers: fan.auth,
      });
      assert.equal(cancel.statusCode, 200, cancel.body);
      assert.ok(cancel.json().data.ended_at);
      assert.equal(payments.subscriptions.get(sub.json().data.provider_ref)?.cancelled, true);
      assert.equal(await liveSignals(fan.auth), 0, 'cancelled: delayed again');
      const twice = await ctx().inject({
        method: 'DELETE',
        url: `/api/subscriptions/${sub.json().data.id}`,
        headers: other.auth,
      });
      assert.equal(twice.statusCode, 404);
    });

    test('only a signed-in user subscribes, only to a model they may see', async () => {
      const v = await vendorWithModel(ctx(), 'private');
      const fan = await userWithOwner(ctx());
      const body = { owner: v.owner, model_id: v.modelId };
      const post = (headers: Record<string, string>, payload: unknown = body) =>
        ctx().inject({ method: 'POST', url: '/api/subscriptions', headers, payload: payload as object });
      assert.equal((await post({})).statusCode, 401);
      assert.equal((await post(fan.auth)).statusCode, 404, 'a private model is not found');
      for (const [payload, field] of [
        [{ owner: v.owner }, 'model_id'],
        [{ owner: 'A\u0000', model_id: 'x' }, 'owner'],
        [{ owner: v.owner, model_id: '\ud800' }, 'model_id'],
        [{ ...body, extra: 1 }, 'extra'],
      ] as const) {
        const res = await post(fan.auth, payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        assert.ok(
          res.json().details.some((d: { path: string }) => d.path === field),
          res.body,
        );
      }
    });

    test('a month is closed at its first read after it ends and then served byte for byte; CSV too', async () => {
      const v = await vendorWithModel(ctx());
      const fan = await userWithOwner(ctx());
      ctx().clock.now = at('2026-02-20T09:00:00Z');
      await ctx().inject({
        method: 'PUT',
        url: `/api/models/${v.modelId}/price`,
        headers: v.auth,
        payload: { price_pence: 2800 },
      });
      ctx().clock.now = at('2026-02-10T15:00:00Z');
      const sub = await ctx().inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: fan.auth,
        payload: { owner: v.owner, model_id: v.modelId },
      });
      assert.equal(sub.statusCode, 201, sub.body);
      const revenue = (month: string, format = 'json') =>
        ctx().inject({ method: 'GET', url: `/api/vendor/revenue?month=${month}&format=${format}`, headers: v.auth });

      // February is running: a provisional statement. The price was set on the 20th: 0p before it.
      ctx().clock.now = at('2026-02-25T00:00:00Z');
      const running = await revenue('2026-02');
      assert.equal(running.statusCode, 200, running.body);
      assert.equal(running.json().closed, false);
      // Days 20 … 28 at 2800p of a 28-day month: 9 × 2800 / 28 = 900p; fee 180p.
      assert.deepEqual(
        [running.json().data.gross_pence, running.json().data.fee_pence, running.json().data.vendor_pence],
        [900, 180, 720],
      );

      ctx().clock.now = at('2026-03-02T00:00:00Z');
      const first = await revenue('2026-02');
      assert.equal(first.json().closed, true);
      const csv = await revenue('2026-02', 'csv');
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(csv.body, /\r\ntotal,2026-02,,,,,900,180,720\r\n$/);
      // A refund recorded now belongs to March; a price change rewrites nothing of February.
      await ctx().database.db.query(
        `INSERT INTO app.payments (subscription_id, kind, amount_pence, at, provider_ref)
         VALUES ($1, 'refund', 100, '2026-03-01T12:00:00Z', $2)`,
        [sub.json().data.id, `re_${randomBytes(4).toString('hex')}`],
      );
      await ctx().database.db.query(`UPDATE app.platform_settings SET platform_fee_bps = 3000`);
      try {
        const later = await revenue('2026-02');
        assert.equal(later.body, first.body, 'byte for byte');
        assert.equal((await revenue('2026-02', 'csv')).body, csv.body);
      } finally {
        await ctx().database.db.query(`UPDATE app.platform_settings SET platform_fee_bps = 2000`);
      }
    });

    test('bad months and formats are 400 naming the field; the future and anonymous are refused', async () => {
      const v = await vendorWithModel(ctx());
      for (const [query, field] of [
        ['month=2025-13', 'month'],
        ['month=0000-01', 'month'],
        ['month=2026-1', 'month'],
        ['month=2026-01%00', 'month'],
        ['month=%ED%A0%80', 'month'],
        ['', 'month'],
        ['month=2026-01&format=xml', 'format'],
      ] as const) {
        const res = await ctx().inject({ method: 'GET', url: `/api/vendor/revenue?${query}`, headers: v.auth });
        assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
        assert.ok(
          res.json().details.some((d: { path: string }) => d.path === field),
          res.body,
        );
      }
      ctx().clock.now = at('2026-01-05T12:00:30Z');
      const future = await ctx().inject({ method: 'GET', url: '/api/vendor/revenue?month=2026-02', headers: v.auth });
      assert.equal(future.statusCode, 400);
      assert.equal((await ctx().inject({ method: 'GET', url: '/api/vendor/revenue?month=2025-12' })).statusCode, 401);
    });

    test('provider webhooks: a valid signature is handled once per event id; a bad or stale one is 401', async () => {
      const { v, ref } = await subscribedAt(ctx(), '2026-04-03T10:00:00Z');
      const send = (d: { body: string; signature: string }) =>
        ctx().inject({
          method: 'POST',
          url: '/api/payments/webhook',
          headers: { 'content-type': 'application/json', 'stripe-signature': d.signature },
          payload: d.body,
        });
      const nowS = Math.floor(ctx().clock.now / 1000);
      const paid = payments.deliver(
        {
          id: `evt_${ref}_1`,
          type: 'invoice.paid',
          created: nowS,
          data: { object: { id: `in_${ref}`, subscription: ref, amount_paid: 2000 } },
        },
        ctx().clock.now,
      );
      const first = await send(paid);
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().data.handled, true);
      const replay = await send(paid);
      assert.equal(replay.json().data.handled, false, 'a redelivery changes nothing');
      const [{ n } = { n: -1 }] = await ctx().database.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM app.payments WHERE provider_ref = $1`,
        [`in_${ref}`],
      );
      assert.equal(n, 1);

      const tampered = { ...paid, body: paid.body.replace('2000', '9000') };
      assert.equal((await send(tampered)).statusCode, 401);
      const stale = payments.deliver(
        { id: `evt_${ref}_2`, type: 'invoice.paid', created: nowS, data: { object: { id: 'x' } } },
        ctx().clock.now - 600_000,
      );
      assert.equal((await send(stale)).statusCode, 401);
      assert.equal((await send({ body: paid.body, signature: 'garbage' })).statusCode, 401);

      const refunded = refundEvent(ref, `evt_${ref}_3`, nowS, 700, ctx().clock.now);
      assert.equal((await send(refunded)).statusCode, 200);
      const deleted = payments.deliver(
        { id: `evt_${ref}_4`, type: 'customer.subscription.deleted', created: nowS, data: { object: { id: ref } } },
        ctx().clock.now,
      );
      assert.equal((await send(deleted)).statusCode, 200);
      const april = await ctx().inject({ method: 'GET', url: '/api/vendor/revenue?month=2026-04', headers: v.auth });
      const lines = april.json().data.lines as { kind: string; gross_pence: number; active_days: number }[];
      assert.deepEqual(
        lines.map((l) => [l.kind, l.active_days, l.gross_pence]),
        [
          ['subscription', 1, 0],
          ['refund', 0, -700],
        ],
        'ended on the 3rd by the provider (unpriced: 0p), and the refund counted in April',
      );
    });

    test('a refund for a closed month is booked in the running month; the closed statement stays byte for byte', async () => {
      const { v, ref } = await subscribedAt(ctx(), '2026-05-10T10:00:00Z');
      ctx().clock.now = at('2026-06-02T09:00:00Z');
      const revenue = (month: string, format = 'json') =>
        ctx().inject({ method: 'GET', url: `/api/vendor/revenue?month=${month}&format=${format}`, headers: v.auth });
      const may = await revenue('2026-05');
      const mayCsv = await revenue('2026-05', 'csv');
      assert.equal(may.json().closed, true, 'May has ended: read once, it is closed');
      // The provider refunds a May charge, stamped 20 May, delivered on 2 June.
      const late = refundEvent(ref, `evt_${ref}_late`, at('2026-05-20T12:00:00Z') / 1000, 300, ctx().clock.now);
      const res = await ctx().inject({
        method: 'POST',
        url: '/api/payments/webhook',
        headers: { 'content-type': 'application/json', 'stripe-signature': late.signature },
        payload: late.body,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((await revenue('2026-05')).body, may.body, 'the closed month is unchanged');
      assert.equal((await revenue('2026-05', 'csv')).body, mayCsv.body);
      const june = await revenue('2026-06');
      const refunds = (june.json().data.lines as { kind: string; gross_pence: number }[]).filter(
        (l) => l.kind === 'refund',
      );
      assert.deepEqual(
        refunds.map((l) => l.gross_pence),
        [-300],
        'booked as an adjustment in June',
      );
    });

    test('a subscriber registers a webhook URL (secret shown once), reads the delivery log and replays from it', async () => {
      const fan = await userWithOwner(ctx());
      const reg = await ctx().inject({
        method: 'POST',
        url: '/api/webhooks',
        headers: fan.auth,
        payload: { url: 'https://example.org/hooks/neuronetiq' },
      });
      assert.equal(reg.statusCode, 201, reg.body);
      assert.match(reg.json().data.secret, /^whsec_/);
      for (const url of [
        'javascript:alert(1)',
        'https://a b',
        'https://a\u0000b',
        'https://\ud800',
        'x'.repeat(2001),
      ]) {
        const res = await ctx().inject({ method: 'POST', url: '/api/webhooks', headers: fan.auth, payload: { url } });
        assert.equal(res.statusCode, 400, url);
        assert.ok(
          res.json().details.some((d: { path: string }) => d.path === 'url'),
          res.body,
        );
      }
      const log = await ctx().inject({ method: 'GET', url: '/api/webhooks/deliveries', headers: fan.auth });
      assert.equal(log.statusCode, 200, log.body);
      assert.deepEqual(log.json().data, []);
      const replay = await ctx().inject({
        method: 'POST',
        url: '/api/webhooks/deliveries/00000000-0000-4000-8000-000000000000/replay',
        headers: fan.auth,
      });
      assert.equal(replay.statusCode, 404);
      const badId = await ctx().inject({
        method: 'POST',
        url: '/api/webhooks/deliveries/nope/replay',
        headers: fan.auth,
      });
      assert.equal(badId.statusCode, 400);
      assert.equal((await ctx().inject({ method: 'GET', url: '/api/webhooks/deliveries' })).statusCode, 401);
    });
  },
  { payments },
);

/** POSTs a signed provider delivery to the webhook route. */
const sendWebhook = (c: ApiTestContext, d: { body: string; signature: string }) =>
  c.inject({
    method: 'POST',
    url: '/api/payments/webhook',
    headers: { 'content-type': 'application/json', 'stripe-signature': d.signature },
    payload: d.body,
  });

/** A vendor's model priced at `pricePence` from `iso` on, with a fresh signal on `symbol` (inside the delay). */
async function pricedModel(c: ApiTestContext, iso: string, pricePence: number) {
  const v = await vendorWithModel(c);
  c.clock.now = at(iso);
  const put = await c.inject({
    method: 'PUT',
    url: `/api/models/${v.modelId}/price`,
    headers: v.auth,
    payload: { price_pence: pricePence },
  });
  assert.equal(put.statusCode, 200, put.body);
  const symbol = `S${randomBytes(3).toString('hex').toUpperCase()}`;
  const stored = await c.asService({
    method: 'POST',
    url: '/api/signals/store',
    payload: signal({ owner: v.owner, model_id: v.modelId, symbol }),
  });
  assert.equal(stored.statusCode, 204, stored.body);
  // Received at the api's pinned clock, long before the database's now: make it fresh so that the delay applies.
  await c.database.db.query('UPDATE ml.signals_latest SET received_at = now() WHERE symbol = $1', [symbol]);
  /** How many of the model's live signals `headers` reads on its page (through RLS): 1 live, 0 delayed. */
  const live = async (headers: Record<string, string>) => {
    const res = await c.inject({ method: 'GET', url: `/api/marketplace/models/${v.owner}/${v.modelId}`, headers });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().data.latest_signals as { symbol: string }[]).filter((s) => s.symbol === symbol).length;
  };
  const subscribe = (fan: { auth: Record<string, string> }, paymentMethod?: string) =>
    c.inject({
      method: 'POST',
      url: '/api/subscriptions',
      headers: fan.auth,
      payload: { owner: v.owner, model_id: v.modelId, ...(paymentMethod ? { payment_method: paymentMethod } : {}) },
    });
  return { v, live, subscribe };
}

/** The caller's subscription to `v`'s model as the api lists it. */
async function listed(c: ApiTestContext, fan: { auth: Record<string, string> }, modelId: string) {
  const res = await c.inject({ method: 'GET', url: '/api/subscriptions', headers: fan.auth });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().data as { model_id: string; status: string; past_due_since: string | null }[]).filter(
    (s) => s.model_id === modelId,
  );
}

const DECLINES = [
  ['pm_card_chargeDeclined', 'card_declined'],
  ['tok_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
] as const;

describeEachBackend(
  'payments that fail',
  (ctx) => {
    test('a declined card at subscribe is 402 PAYMENT_DECLINED naming the reason and what to do, and stores nothing (card_declined, insufficient_funds, expired_card)', async () => {
      const { v, live, subscribe } = await pricedModel(ctx(), '2026-09-03T10:00:00Z', 999);
      const fan = await userWithOwner(ctx());
      for (const [paymentMethod, code] of DECLINES) {
        const res = await subscribe(fan, paymentMethod);
        assert.equal(res.statusCode, 402, res.body);
        const body = res.json();
        assert.equal(body.error, 'PAYMENT_DECLINED');
        assert.match(
          body.message,
          new RegExp(`\\(${code}\\)\\. Nothing was charged and you are not subscribed: .+, then try again\\.`),
        );
        assert.equal(body.details.length, 1);
        assert.equal(body.details[0].path, 'payment_method');
        assert.match(body.details[0].message, new RegExp(`^${code}: `));
      }
      assert.deepEqual(await listed(ctx(), fan, v.modelId), [], 'no subscription listed');
      assert.equal(await live(fan.auth), 0, 'no live signals');
      const [{ subs, pays } = { subs: -1, pays: -1 }] = await ctx().database.db.query<{ subs: number; pays: number }>(
        `SELECT (SELECT count(*)::int FROM app.subscriptions WHERE subscriber = $1) AS subs,
                (SELECT count(*)::int FROM app.payments p JOIN app.subscriptions x ON x.id = p.subscription_id
                 WHERE x.subscriber = $1) AS pays`,
        [fan.owner],
      );
      assert.deepEqual([subs, pays], [0, 0], 'no subscription row, no payment row');
      const attempts = await ctx().database.db.query<{ decline_code: string; amount_pence: number; sid: null }>(
        `SELECT decline_code, amount_pence, subscription_id AS sid FROM app.payment_attempts WHERE subscriber = $1
         ORDER BY at, decline_code`,
        [fan.owner],
      );
      assert.deepEqual(
        attempts.map((a) => [a.decline_code, a.amount_pence, a.sid]).sort(),
        DECLINES.map(([, code]) => [code, 999, null]).sort(),
        'each declined attempt kept for audit',
      );
      const charges = payments.charges.filter((c) => c.customer === fan.owner);
      assert.deepEqual(
        charges.map((c) => [c.status, c.declineCode, c.subscriptionRef]),
        DECLINES.map(([, code]) => ['failed', code, null]),
        'the provider recorded three failed charges and no paid one',
      );
      const revenue = await ctx().inject({ method: 'GET', url: '/api/vendor/revenue?month=2026-09', headers: v.auth });
      assert.deepEqual(revenue.json().data.lines, [], 'no revenue line');
      // The OpenAPI document says so: 402 PAYMENT_DECLINED on subscribe and pay, and the card field.
      const doc = (await ctx().inject({ method: 'GET', url: '/openapi.json' })).json();
      for (const path of ['/api/subscriptions', '/api/subscriptions/{id}/pay']) {
        const op = doc.paths[path].post;
        assert.match(op.responses['402'].description, /PAYMENT_DECLINED/, path);
        assert.ok(JSON.stringify(op.requestBody).includes('payment_method'), path);
      }
    });

    test('after a decline, subscribing again with a card that pays succeeds: one subscription, one paid charge, live signals; a free model never charges', async () => {
      const { v, live, subscribe } = await pricedModel(ctx(), '2026-09-04T10:00:00Z', 1250);
      const fan = await userWithOwner(ctx());
      assert.equal((await subscribe(fan, 'pm_card_chargeDeclinedInsufficientFunds')).statusCode, 402);
      const ok = await subscribe(fan, 'pm_card_visa');
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().data.status, 'active');
      assert.equal(ok.json().data.past_due_since, null);
      assert.equal(await live(fan.auth), 1);
      assert.deepEqual(
        payments.charges.filter((c) => c.customer === fan.owner).map((c) => [c.status, c.amountPence]),
        [
          ['failed', 1250],
          ['succeeded', 1250],
        ],
      );
      assert.deepEqual(
        (await listed(ctx(), fan, v.modelId)).map((s) => s.status),
        ['active'],
      );
      // No price: nothing to charge, so even a declining card subscribes (Stripe pays a 0p invoice without the card).
      const free = await pricedModel(ctx(), '2026-09-04T10:00:00Z', 0);
      const freeSub = await free.subscribe(fan, 'pm_card_chargeDeclined');
      assert.equal(freeSub.statusCode, 201, freeSub.body);
    });

    test('a failed renewal (invoice.payment_failed) makes it past_due and ends live reading until invoice.paid; the same event twice changes nothing', async () => {
      const { v, live, subscribe } = await pricedModel(ctx(), '2026-10-01T09:00:00Z', 900);
      const fan = await userWithOwner(ctx());
      const sub = await subscribe(fan);
      assert.equal(sub.statusCode, 201, sub.body);
      const ref = sub.json().data.provider_ref as string;
      assert.equal(await live(fan.auth), 1);

      payments.setPaymentMethod(ref, 'pm_card_chargeDeclinedExpiredCard');
      ctx().clock.now = at('2026-10-11T06:30:00Z');
      const failed = payments.renew(ref, ctx().clock.now);
      assert.equal(failed.paid, false);
      const first = await sendWebhook(ctx(), failed);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json().data, { handled: true, type: 'invoice.payment_failed' });
      assert.deepEqual(await listed(ctx(), fan, v.modelId), [
        expectedRow(sub.json().data, { status: 'past_due', past_due_since: '2026-10-11T06:30:00.000Z' }),
      ]);
      assert.equal(await live(fan.auth), 0, 'past_due: delayed like a non-subscriber');
      const again = await sendWebhook(ctx(), failed);
      assert.deepEqual(again.json().data, { handled: false, type: 'invoice.payment_failed' });
      // Stripe retries and fails again a day later (a new event): still past due since the first failure.
      ctx().clock.now = at('2026-10-12T06:30:00Z');
      assert.equal((await sendWebhook(ctx(), payments.renew(ref, ctx().clock.now))).statusCode, 200);
      const unpaid = () =>
        ctx().database.db.query<{ since: string; until: string | null }>(
          'SELECT since, until FROM app.subscription_unpaid WHERE subscription_id = $1',
          [sub.json().data.id],
        );
      assert.deepEqual(await unpaid(), [{ since: '2026-10-11T06:30:00.000Z', until: null }]);
      const resubscribe = await subscribe(fan, 'pm_card_visa');
      assert.equal(resubscribe.statusCode, 409, resubscribe.body);
      assert.match(resubscribe.json().message, /last payment failed: pay it/);

      // The customer updates the card; Stripe's next retry pays.
      payments.setPaymentMethod(ref, 'pm_card_visa');
      ctx().clock.now = at('2026-10-13T08:00:00Z');
      const paid = payments.renew(ref, ctx().clock.now);
      assert.equal(paid.paid, true);
      assert.deepEqual((await sendWebhook(ctx(), paid)).json().data, { handled: true, type: 'invoice.paid' });
      assert.deepEqual((await sendWebhook(ctx(), paid)).json().data, { handled: false, type: 'invoice.paid' });
      assert.deepEqual(await listed(ctx(), fan, v.modelId), [
        expectedRow(sub.json().data, { status: 'active', past_due_since: null }),
      ]);
      assert.equal(await live(fan.auth), 1, 'paid again: live again');
      assert.deepEqual(await unpaid(), [{ since: '2026-10-11T06:30:00.000Z', until: '2026-10-13T08:00:00.000Z' }]);
      const [{ n } = { n: -1 }] = await ctx().database.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM app.payments WHERE subscription_id = $1 AND kind = 'charge'`,
        [sub.json().data.id],
      );
      assert.equal(n, 1, 'the renewal charge recorded once');
    });

    test('events out of order: an invoice.paid delivered before the older invoice.payment_failed keeps it active', async () => {
      const { v, live, subscribe } = await pricedModel(ctx(), '2026-10-01T09:00:00Z', 900);
      const fan = await userWithOwner(ctx());
      const sub = await subscribe(fan);
      const ref = sub.json().data.provider_ref as string;
      ctx().clock.now = at('2026-11-01T09:05:00Z');
      const nowS = ctx().clock.now / 1000;
      const invoiceEvent = (type: string, createdS: number, amount: Record<string, number>) =>
        payments.deliver(
          {
            id: `evt_${ref}_${type}`,
            type,
            created: createdS,
            data: { object: { id: `in_${ref}_nov`, subscription: ref, ...amount } },
          },
          ctx().clock.now,
        );
      const failed = invoiceEvent('invoice.payment_failed', nowS - 300, { amount_due: 900 });
      const paid = invoiceEvent('invoice.paid', nowS - 60, { amount_paid: 900 });
      assert.equal((await sendWebhook(ctx(), paid)).statusCode, 200);
      assert.deepEqual((await sendWebhook(ctx(), failed)).json().data, {
        handled: true,
        type: 'invoice.payment_failed',
      });
      assert.deepEqual(
        (await listed(ctx(), fan, v.modelId)).map((s) => s.status),
        ['active'],
      );
      assert.equal(await live(fan.auth), 1);
    });

    test('pay now: a past_due subscriber pays with another card and reads live again at once; a declined card keeps it past_due; nothing owed is 409', async () => {
      const { v, live, subscribe } = await pricedModel(ctx(), '2026-10-01T09:00:00Z', 700);
      const fan = await userWithOwner(ctx());
      const other = await userWithOwner(ctx());
      const sub = await subscribe(fan);
      const { id, provider_ref: ref } = sub.json().data as { id: string; provider_ref: string };
      const pay = (who: { auth: Record<string, string> }, body: object = {}) =>
        ctx().inject({ method: 'POST', url: `/api/subscriptions/${id}/pay`, headers: who.auth, payload: body });
      const owesNothing = await pay(fan, { payment_method: 'pm_card_visa' });
      assert.equal(owesNothing.statusCode, 409, owesNothing.body);

      payments.setPaymentMethod(ref, 'pm_card_chargeDeclinedInsufficientFunds');
      ctx().clock.now = at('2026-11-01T09:00:00Z');
      assert.equal((await sendWebhook(ctx(), payments.renew(ref, ctx().clock.now))).statusCode, 200);
      const refused = await pay(fan, { payment_method: 'tok_chargeDeclined' });
      assert.equal(refused.statusCode, 402, refused.body);
      assert.equal(refused.json().error, 'PAYMENT_DECLINED');
      assert.match(refused.json().message, /Nothing was charged and live signals stay paused/);
      assert.equal((await listed(ctx(), fan, v.modelId))[0]?.status, 'past_due');
      const [attempt] = await ctx().database.db.query<{ subscription_id: string; decline_code: string }>(
        `SELECT subscription_id, decline_code FROM app.payment_attempts WHERE subscriber = $1`,
        [fan.owner],
      );
      assert.deepEqual(attempt, { subscription_id: id, decline_code: 'card_declined' });
      assert.equal((await pay(other, { payment_method: 'pm_card_visa' })).statusCode, 404, "another user's");

      ctx().clock.now = at('2026-11-02T10:00:00Z');
      const ok = await pay(fan, { payment_method: 'pm_card_visa' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().data.status, 'active');
      assert.equal(await live(fan.auth), 1);
      assert.equal(payments.charges.at(-1)?.status, 'succeeded');
    });

    test('revenue counts only paid days: a renewal fails on 10 July at noon and is paid on 20 July (pinned clock): 22 of 31 days', async () => {
      const { v, subscribe } = await pricedModel(ctx(), '2027-06-30T00:00:00Z', 3100);
      const fan = await userWithOwner(ctx());
      ctx().clock.now = at('2027-07-01T09:00:00Z');
      const sub = await subscribe(fan);
      assert.equal(sub.statusCode, 201, sub.body);
      const ref = sub.json().data.provider_ref as string;
      payments.setPaymentMethod(ref, 'pm_card_chargeDeclined');
      ctx().clock.now = at('2027-07-10T12:00:00Z');
      assert.equal((await sendWebhook(ctx(), payments.renew(ref, ctx().clock.now))).statusCode, 200);
      payments.setPaymentMethod(ref, 'pm_card_visa');
      ctx().clock.now = at('2027-07-20T08:00:00Z');
      assert.equal((await sendWebhook(ctx(), payments.renew(ref, ctx().clock.now))).statusCode, 200);
      ctx().clock.now = at('2027-08-02T00:00:00Z');
      const july = await ctx().inject({ method: 'GET', url: '/api/vendor/revenue?month=2027-07', headers: v.auth });
      assert.equal(july.statusCode, 200, july.body);
      assert.equal(july.json().closed, true);
      const data = july.json().data;
      // 1–10 July and 20–31 July: 22 days × 3100p / 31 = 2200p; the 9 unpaid days between are not billed.
      assert.deepEqual(
        data.lines.map((l: { kind: string; active_days: number; gross_pence: number }) => [
          l.kind,
          l.active_days,
          l.gross_pence,
        ]),
        [['subscription', 22, 2200]],
      );
      assert.deepEqual([data.gross_pence, data.fee_pence, data.vendor_pence], [2200, 440, 1760]);
    });

    test('hostile payment_method values (NUL, lone surrogate, huge, wrong type or shape) are 400 naming the field, never 500', async () => {
      const { v, subscribe } = await pricedModel(ctx(), '2026-12-01T09:00:00Z', 500);
      const fan = await userWithOwner(ctx());
      const sub = await subscribe(fan);
      assert.equal(sub.statusCode, 201, sub.body);
      for (const value of [
        'pm_card_visa\u0000',
        '\u0000',
        'pm_\ud800',
        '\udfff',
        `pm_${'a'.repeat(100_000)}`,
        'x'.repeat(1_000_000),
        '',
        'pm_',
        'card_4242424242424242',
        'pm_card visa',
        'pm_card_visa\n',
        123,
        null,
        ['pm_card_visa'],
        { id: 'pm_card_visa' },
      ]) {
        const label = JSON.stringify(value).slice(0, 40);
        for (const [url, payload] of [
          ['/api/subscriptions', { owner: v.owner, model_id: v.modelId, payment_method: value }],
          [`/api/subscriptions/${sub.json().data.id}/pay`, { payment_method: value }],
        ] as const) {
          const res = await ctx().inject({ method: 'POST', url, headers: fan.auth, payload });
          assert.equal(res.statusCode, 400, `${url} ${label}: ${res.body.slice(0, 300)}`);
          assert.ok(
            res.json().details.some((d: { path: string }) => d.path === 'payment_method'),
            `${url} ${label}: ${res.body.slice(0, 300)}`,
          );
        }
      }
      const unknown = await ctx().inject({
        method: 'POST',
        url: `/api/subscriptions/${sub.json().data.id}/pay`,
        headers: fan.auth,
        payload: { payment_method: 'pm_card_visa', extra: 1 },
      });
      assert.equal(unknown.statusCode, 400);
    });
  },
  { payments },
);

/** A listed subscription: the one made, with its status fields. */
function expectedRow(made: Record<string, unknown>, status: { status: string; past_due_since: string | null }) {
  return { ...made, ...status };
}

describeEachBackend(
  'payment webhooks with hostile fields',
  (ctx) => {
    test('a signed invoice event with hostile ids or amounts (NUL, lone surrogate, huge, negative) is 400 naming the body, never 500, and changes nothing', async () => {
      const { v, subscribe } = await pricedModel(ctx(), '2026-12-01T09:00:00Z', 500);
      const fan = await userWithOwner(ctx());
      const sub = await subscribe(fan);
      assert.equal(sub.statusCode, 201, sub.body);
      const ref = sub.json().data.provider_ref as string;
      const nowS = Math.floor(ctx().clock.now / 1000);
      const event = (over: { id?: unknown; type?: string; object?: Record<string, unknown> }) =>
        payments.deliver(
          {
            id: over.id ?? `evt_${randomBytes(6).toString('hex')}`,
            type: over.type ?? 'invoice.payment_failed',
            created: nowS,
            data: { object: { id: `in_${ref}`, subscription: ref, amount_due: 500, ...over.object } },
          },
          ctx().clock.now,
        );
      for (const over of [
        { id: 'evt_\u0000' },
        { id: 'evt_\ud800' },
        { id: `evt_${'x'.repeat(100_000)}` },
        { id: 42 },
        { object: { subscription: `${ref}\u0000` } },
        { object: { subscription: '\udfff' } },
        { object: { subscription: 's'.repeat(100_000) } },
        { object: { id: 'in_\u0000' } },
        { object: { amount_due: -1 } },
        { object: { amount_due: 1e20 } },
        { object: { amount_due: 2 ** 31 } },
        { type: 'invoice.paid', object: { amount_paid: 2 ** 31 } },
        { type: 'invoice\u0000paid' },
        { object: { amount_due: '500' } },
      ]) {
        const res = await sendWebhook(ctx(), event(over));
        assert.equal(res.statusCode, 400, `${JSON.stringify(over).slice(0, 60)}: ${res.body.slice(0, 300)}`);
        assert.equal(res.json().error, 'VALIDATION_ERROR');
        assert.ok(
          res.json().details.some((d: { path: string }) => d.path === 'body'),
          res.body,
        );
      }
      assert.deepEqual(
        (await listed(ctx(), fan, v.modelId)).map((s) => s.status),
        ['active'],
        'nothing changed',
      );
    });
  },
  { payments },
);
