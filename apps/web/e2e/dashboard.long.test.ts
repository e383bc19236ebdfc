// The vendor dashboard: the signals the api stored for the signed-in owner, live updates within a second of being
// stored (on each database: NOTIFY on PostgreSQL, the log poll on PGlite), and API keys shown once that work.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { findA11yViolations, formatViolations, withPage } from '@neuronetiq/testing-web';
import { STACK_GITHUB_USERS, type WebStack } from '@neuronetiq/testing-web/stack';
import type { Page } from 'playwright-core';
import { formatPence } from '../src/lib/revenue';
import { mintApiToken } from '../src/server/api-token';
import {
  describeWeb,
  latestSignals,
  shownOwner,
  signalNow,
  signInWithGitHub,
  uniqueModelId,
  waitUntilLive,
} from './support';

const ALICE = STACK_GITHUB_USERS[0] as (typeof STACK_GITHUB_USERS)[number];
const BOB = STACK_GITHUB_USERS[1] as (typeof STACK_GITHUB_USERS)[number];

/** A new api user (as a first GitHub sign-in makes one) subscribed to `owner`'s model through the api, which bills it
 * through its test payment provider; returns the subscriber's owner. */
async function subscribe(stack: WebStack, owner: string, modelId: string): Promise<string> {
  const login = `fan${randomInt(1e9)}`;
  const identity = await stack.asService('/api/auth/identity', {
    body: { provider: 'github', provider_user_id: String(randomInt(1e9, 2e9)), user_name: login },
  });
  assert.equal(identity.status, 200, await identity.clone().text());
  const fan = (await identity.json()) as { user_id: string; owner: string };
  const token = await mintApiToken(
    { userId: fan.user_id, owner: fan.owner, provider: 'github', login, name: login, image: null },
    { secret: stack.jwtSecret, ttlS: 300 },
  );
  const res = await fetch(`${stack.apiUrl}/api/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ owner, model_id: modelId }),
  });
  assert.equal(res.status, 201, await res.text());
  return fan.owner;
}

/** A new public model of Alice's, priced at `pricePence` a month. */
async function alicesPricedModel(stack: WebStack, prefix: string, pricePence: number) {
  const owner = await stack.ensureGitHubOwner(ALICE);
  const modelId = uniqueModelId(prefix);
  await stack.registerModel(owner, modelId, 'public');
  const priced = await stack.asService(`/api/models/${modelId}/price?owner=${owner}`, {
    method: 'PUT',
    body: { price_pence: pricePence },
  });
  assert.equal(priced.status, 200, await priced.text());
  return { owner, modelId };
}

/** The CSV's rows as cells (the statement's cells hold no commas or quotes). */
const csvRows = (csv: string) =>
  csv
    .split('\r\n')
    .filter(Boolean)
    .map((r) => r.split(','));
/** The model page's latest-signals rows that carry `call`. */
const callRows = (page: Page, call: 'BUY' | 'SELL') => page.getByTestId('signal-row').filter({ hasText: call });

async function assertAxeClean(page: Page, state: string) {
  const violations = await findA11yViolations(page);
  assert.deepEqual(violations, [], `${state}: ${formatViolations(violations)}`);
}

const API_KEY = /mp_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/;

describeWeb('vendor dashboard', (ctx) => {
  test('lists the signals posted through the api for the signed-in owner, and says who computes a consensus', async () => {
    const { stack, browser } = ctx();
    const owner = await stack.ensureGitHubOwner(ALICE);
    const modelId = uniqueModelId('dash');
    await stack.registerModel(owner, modelId, 'public');
    await stack.storeSignals([
      signalNow(owner, modelId, 'EURUSD', 'BUY'),
      signalNow(owner, modelId, 'GBPUSD', 'SELL'),
      signalNow(owner, modelId, 'USDJPY', 'NEUTRAL'),
    ]);
    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, ALICE.login);
      await page.goto('/marketplace/vendor');
      assert.equal(await shownOwner(page), owner);
      const rows = latestSignals(page).getByRole('row').filter({ hasText: modelId });
      for (const [symbol, call] of [
        ['EURUSD', 'BUY'],
        ['GBPUSD', 'SELL'],
        ['USDJPY', 'NEUTRAL'],
      ] as const) {
        await rows.filter({ hasText: symbol }).filter({ hasText: call }).first().waitFor();
      }
      // No consensus of this vendor's: the panel says who computes one (not "at each bar close", which only the
      // platform's own models get).
      const empty = page.getByTestId('consensus-panel-empty');
      await empty.waitFor();
      assert.match(
        (await empty.textContent()) ?? '',
        /built-in models only.*you publish.*POST \/api\/consensus\/store/s,
      );
    });
  });

  test('a signal stored while the page is open appears within 1 s, without a reload', async () => {
    const { stack, browser } = ctx();
    const owner = await stack.ensureGitHubOwner(ALICE);
    const modelId = uniqueModelId('live');
    await stack.registerModel(owner, modelId, 'public');
    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, ALICE.login);
      await page.goto('/marketplace/vendor');
      await waitUntilLive(page);
      const table = latestSignals(page);
      await table.waitFor();
      assert.equal(await table.getByText(modelId).count(), 0, 'the model has no signal yet');
      let navigations = 0;
      page.on('framenavigated', (f) => {
        if (f === page.mainFrame()) navigations++;
      });
      await stack.storeSignals([signalNow(owner, modelId, 'XAUUSD', 'BUY')]);
      const stored = Date.now();
      await table.getByText(modelId).first().waitFor({ timeout: 5_000 });
      const latencyMs = Date.now() - stored;
      assert.ok(latencyMs <= 1_000, `the signal appeared ${latencyMs} ms after it was stored (at most 1000)`);
      assert.equal(navigations, 0, 'no reload');
    });
  });

  test('an API key is shown once, stores a signal from a plain HTTP client, and stops working when revoked', async () => {
    const { stack, browser } = ctx();
    const owner = await stack.ensureGitHubOwner(ALICE);
    const modelId = uniqueModelId('keyed');
    await stack.registerModel(owner, modelId, 'public');
    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, ALICE.login);
      await page.goto('/marketplace/vendor');
      await page.getByLabel('Key name').fill('e2e model server');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const shown = page.getByTestId('new-api-key');
      await shown.waitFor();
      const key = ((await shown.textContent()) ?? '').trim();
      assert.match(key, new RegExp(`^${API_KEY.source}$`));

      // curl -X POST $API/api/signals/store -H "Authorization: Bearer $KEY" -d '{…}'
      const store = (apiKey: string) =>
        fetch(`${stack.apiUrl}/api/signals/store`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(signalNow(owner, modelId, 'EURUSD', 'SELL')),
        });
      const res = await store(key);
      assert.ok(res.status >= 200 && res.status < 300, `store with the new key: ${res.status} ${await res.text()}`);

      await page.reload();
      await latestSignals(page).getByRole('row').filter({ hasText: modelId }).first().waitFor();
      assert.equal(await page.getByText(key).count(), 0, 'the full key is not shown again');
      const prefix = key.split('_').slice(0, 2).join('_');
      await page.getByText(prefix).first().waitFor();

      await page.getByRole('button', { name: 'Revoke e2e model server' }).click();
      // The api caches key checks briefly; a revoked key must be refused once that passes.
      let status = 0;
      for (let i = 0; i < 40; i++) {
        status = (await store(key)).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(status, 401, 'a revoked key is refused');
    });
  });

  test("the revenue page shows this month's subscriptions, prorated, and its CSV download sums to the totals", async () => {
    const { stack, browser } = ctx();
    const owner = await stack.ensureGitHubOwner(ALICE);
    const modelId = uniqueModelId('paid');
    await stack.registerModel(owner, modelId, 'public');
    const PRICE = 999;
    const priced = await stack.asService(`/api/models/${modelId}/price?owner=${owner}`, {
      method: 'PUT',
      body: { price_pence: PRICE },
    });
    assert.equal(priced.status, 200, await priced.text());
    const fans = [await subscribe(stack, owner, modelId), await subscribe(stack, owner, modelId)];

    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
    // Subscribed today: active from today (UTC) to the month's last day.
    const activeDays = daysInMonth - now.getUTCDate() + 1;
    const lineGross = Math.floor((2 * PRICE * activeDays + daysInMonth) / (2 * daysInMonth));

    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, ALICE.login);
      await page.goto('/marketplace/vendor');
      await page.getByRole('link', { name: 'Revenue' }).click();
      await page.waitForURL((url) => url.pathname === '/marketplace/vendor/revenue');
      assert.match((await page.getByTestId('revenue-state').textContent()) ?? '', /^Open/);
      const lines = page.getByTestId('revenue-line').filter({ hasText: modelId });
      for (const fan of fans) {
        const line = lines.filter({ hasText: fan });
        await line.waitFor();
        const text = (await line.textContent()) ?? '';
        assert.ok(text.includes(`${activeDays} / ${daysInMonth}`), `${fan}: ${text}`);
        assert.ok(text.includes(formatPence('en-US', lineGross)), `${fan}: gross ${lineGross} pence in ${text}`);
      }

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download CSV' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `revenue-${owner}-${month}.csv`);
      const csv = await readFile(await download.path(), 'utf8');
      const rows = csvRows(csv);
      assert.deepEqual(rows[0], [
        'kind',
        'ref',
        'subscription_id',
        'subscriber',
        'model_id',
        'active_days',
        'gross_pence',
        'fee_pence',
        'vendor_pence',
      ]);
      const body = rows.slice(1, -1);
      const total = rows.at(-1) ?? [];
      assert.deepEqual(total.slice(0, 2), ['total', month]);
      const mine = body.filter((r) => r[4] === modelId);
      assert.deepEqual(mine.map((r) => r[3]).sort(), [...fans].sort(), 'one line per subscription');
      for (const r of mine) {
        assert.equal(Number(r[5]), activeDays);
        assert.equal(Number(r[6]), lineGross);
        assert.equal(Number(r[7]) + Number(r[8]), Number(r[6]), 'fee + share = gross');
      }
      for (const [i, column] of [6, 7, 8].entries()) {
        const sum = body.reduce((acc, r) => acc + Number(r[column]), 0);
        assert.equal(sum, Number(total[6 + i]), `column ${rows[0]?.[column]} sums to the total`);
      }
      // The page's totals are the CSV's, in pounds.
      assert.equal(await page.getByTestId('revenue-gross').textContent(), formatPence('en-US', Number(total[6])));
      assert.equal(await page.getByTestId('revenue-fee').textContent(), formatPence('en-US', Number(total[7])));
      assert.equal(await page.getByTestId('revenue-vendor').textContent(), formatPence('en-US', Number(total[8])));

      // The previous month, by its link (a plain link: no script needed), is closed and has none of this month's lines.
      await page.getByRole('link', { name: /^←/ }).click();
      await page.waitForURL((url) => url.searchParams.get('month') !== null);
      assert.match((await page.getByTestId('revenue-state').textContent()) ?? '', /^Closed/);
      assert.equal(await page.getByTestId('revenue-line').filter({ hasText: modelId }).count(), 0);
      // A bad month is refused with a message naming it, not a server error.
      const bad = await page.goto('/marketplace/vendor/revenue/csv?month=2026-13');
      assert.equal(bad?.status(), 400);
      assert.match((await bad?.text()) ?? '', /month/);
    });

    // Another vendor signed in sees only their own statement, on the page and in the CSV.
    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, BOB.login);
      await page.goto(`/marketplace/vendor/revenue?month=${month}&owner=${owner}`);
      await page.getByTestId('revenue-state').waitFor();
      assert.equal(await page.getByText(modelId).count(), 0, "Alice's lines are not on Bob's page");
      const res = await page.request.get(`/marketplace/vendor/revenue/csv?month=${month}&owner=${owner}`);
      assert.equal(res.status(), 200);
      const text = await res.text();
      assert.ok(!text.includes(modelId) && !text.includes(owner), "Alice's statement is not in Bob's CSV");
    });

    // Nobody signed in: both the page and the CSV send to the login page.
    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      const csv = await page.request.get(`/marketplace/vendor/revenue/csv?month=${month}`, { maxRedirects: 0 });
      assert.equal(csv.status(), 307);
      assert.match(csv.headers().location ?? '', /\/marketplace\/login\?next=/);
      await page.goto('/marketplace/vendor/revenue');
      await page.waitForURL((url) => url.pathname === '/marketplace/login');
      // A session cookie the server does not know passes the proxy's cookie check; the route itself refuses it.
      await page.context().addCookies([{ name: 'nq.session_token', value: 'forged', url: stack.webUrl }]);
      const forged = await page.request.get(`/marketplace/vendor/revenue/csv?month=${month}`, { maxRedirects: 0 });
      assert.equal(forged.status(), 307);
      assert.match(forged.headers().location ?? '', /\/marketplace\/login\?next=/);
    });
  });
  test("a subscriber reads a priced model's fresh signal live, and after cancelling only delayed again", async () => {
    const { stack, browser } = ctx();
    const { owner, modelId } = await alicesPricedModel(stack, 'priced', 499);
    // A call two days old (received on time, so older than the 24 h delay) and a fresh one on the bar open now.
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const old = new Date(minute - 2 * 86_400_000).toISOString();
    await stack.storeSignals([
      { ...signalNow(owner, modelId, 'EURUSD', 'SELL'), bar_ts: old },
      signalNow(owner, modelId, 'EURUSD', 'BUY'),
    ]);
    await stack.database.db.query(
      `UPDATE ml.signals_latest SET received_at = bar_ts + interval '30 seconds', late = false
       WHERE owner = $1 AND model_id = $2 AND bar_ts = $3`,
      [owner, modelId, old],
    );
    const path = `/marketplace/models/${owner}/${modelId}`;

    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      // Anonymous: the price, the delay, and a sign-in link that comes back here.
      await page.goto(path);
      assert.equal(await page.getByTestId('model-price').textContent(), '£4.99 / month');
      assert.match((await page.getByTestId('signal-delay-note').textContent()) ?? '', /delayed by 24 hours/);
      await page.getByRole('link', { name: 'Sign in to subscribe' }).click();
      await page.waitForURL((url) => url.pathname === '/marketplace/login');
      await page.getByRole('button', { name: 'Continue with GitHub' }).click();
      await page.waitForURL((url) => url.origin === stack.github.url);
      await page.getByRole('button', { name: `Continue as ${BOB.login}` }).click();
      await page.waitForURL((url) => url.origin === stack.webUrl && url.pathname === path);

      // Signed in, not subscribed: the old call shows, the fresh one is held back.
      await callRows(page, 'SELL').first().waitFor();
      assert.equal(await callRows(page, 'BUY').count(), 0, 'the fresh signal is delayed for a non-subscriber');
      await assertAxeClean(page, 'not subscribed');
      // A second tab still showing the Subscribe button, for the refusal below.
      const stale = await page.context().newPage();
      await stale.goto(path);
      await stale.getByRole('button', { name: 'Subscribe' }).waitFor();

      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByTestId('subscribed-since').waitFor();
      await callRows(page, 'BUY').first().waitFor();
      assert.match((await page.getByTestId('signal-delay-note').textContent()) ?? '', /live/);
      await assertAxeClean(page, 'subscribed');

      // Subscribing again (the stale tab) is refused by the api (409) and said as a message, not an error page.
      await stale.getByRole('button', { name: 'Subscribe' }).click();
      const refusal = stale.getByTestId('subscription-message');
      await refusal.waitFor();
      assert.match((await refusal.textContent()) ?? '', /already subscribe/);
      await stale.close();

      // My subscriptions, from the dashboard, lists it.
      await page.goto('/marketplace/vendor');
      await page.getByRole('link', { name: 'My subscriptions' }).click();
      await page.waitForURL((url) => url.pathname === '/marketplace/subscriptions');
      const row = page.getByTestId('subscription-row').filter({ hasText: `${owner}/${modelId}` });
      await row.getByRole('button', { name: `Cancel subscription to ${owner}/${modelId}` }).waitFor();

      // Cancel on the model page, confirmed: the fresh call is held back again.
      await page.goto(path);
      await page.getByRole('button', { name: `Cancel subscription to ${owner}/${modelId}` }).click();
      await page.getByRole('button', { name: 'Yes, cancel' }).click();
      await page.getByRole('button', { name: 'Subscribe' }).waitFor();
      await callRows(page, 'SELL').first().waitFor();
      assert.equal(await callRows(page, 'BUY').count(), 0, 'the fresh signal is delayed again after cancelling');
      await page.goto('/marketplace/subscriptions');
      await row.filter({ hasText: 'ended' }).waitFor();
    });
  });

  test('a declined card is an alert on the subscribe form that says why and what to do; a failed renewal shows on My subscriptions with Pay now', async () => {
    const { stack, browser } = ctx();
    const { owner, modelId } = await alicesPricedModel(stack, 'declined', 650);
    const bob = await stack.ensureGitHubOwner(BOB);
    const path = `/marketplace/models/${owner}/${modelId}`;
    const subscriptionsOfBob = () =>
      stack.database.db.query<{ provider_ref: string }>(
        'SELECT provider_ref FROM app.subscriptions WHERE subscriber = $1 AND owner = $2 AND model_id = $3',
        [bob, owner, modelId],
      );

    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, BOB.login, path);
      await page.goto(path);
      const card = page.getByLabel('Card');
      await card.selectOption('pm_card_chargeDeclinedInsufficientFunds');
      await page.getByRole('button', { name: 'Subscribe' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'insufficient funds' });
      await alert.waitFor();
      assert.match(
        (await alert.textContent()) ?? '',
        /insufficient funds \(insufficient_funds\)\. Nothing was charged and you are not subscribed: add funds or use another card, then try again\./,
      );
      // The card field is marked as the one to change and described by the alert.
      assert.equal(await card.getAttribute('aria-invalid'), 'true');
      assert.equal(await card.getAttribute('aria-describedby'), await alert.getAttribute('id'));
      await assertAxeClean(page, 'declined');
      assert.equal((await subscriptionsOfBob()).length, 0, 'nothing stored');
      await page.getByRole('button', { name: 'Subscribe' }).waitFor();

      // Another card pays.
      await card.selectOption('pm_card_visa');
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByTestId('subscribed-since').waitFor();
      const [sub] = await subscriptionsOfBob();
      assert.ok(sub, 'subscribed');

      // The next renewal fails (the card expired): the provider tells the api, which makes it past_due.
      stack.payments.setPaymentMethod(sub.provider_ref, 'pm_card_chargeDeclinedExpiredCard');
      assert.equal(await stack.sendPaymentWebhook(stack.payments.renew(sub.provider_ref, Date.now())), 200);
      // The model page says so, and no longer that its signals are live.
      await page.goto(path);
      await page.getByTestId('past-due-notice').waitFor();
      assert.match((await page.getByTestId('signal-delay-note').textContent()) ?? '', /delayed by 24 hours/);
      await page.goto('/marketplace/subscriptions');
      const row = page.getByTestId('subscription-row').filter({ hasText: `${owner}/${modelId}` });
      const notice = row.getByTestId('past-due-notice');
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? '', /Payment failed.*live signals are paused.*pay now/s);
      await assertAxeClean(page, 'past due');

      // Pay now with a card that is declined: said, and still past due; then with one that pays: live again.
      await row.getByLabel('Card').selectOption('pm_card_chargeDeclined');
      await row.getByRole('button', { name: `Pay now for ${owner}/${modelId}` }).click();
      const refused = row.getByRole('alert').filter({ hasText: 'declined' });
      await refused.waitFor();
      assert.match((await refused.textContent()) ?? '', /Nothing was charged and live signals stay paused/);
      await row.getByLabel('Card').selectOption('pm_card_visa');
      await row.getByRole('button', { name: `Pay now for ${owner}/${modelId}` }).click();
      await page.getByRole('status').filter({ hasText: 'live again' }).waitFor();
      await page.reload();
      await row.getByRole('button', { name: `Cancel subscription to ${owner}/${modelId}` }).waitFor();
      assert.equal(await row.getByTestId('past-due-notice').count(), 0, 'paid: no longer past due');
    });
  });
});
