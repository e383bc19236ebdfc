// Row-level security seen from the browser: one person cannot see another's private model, signals or keys by
// editing URLs, by calling the web app's endpoints with their own session, or by calling the api.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchFromPage, withPage } from '@neuronetiq/testing-web';
import { STACK_GITHUB_USERS } from '@neuronetiq/testing-web/stack';
import { SignJWT } from 'jose';
import { describeWeb, signalNow, signInWithGitHub, uniqueModelId } from './support';

const [ALICE, BOB] = STACK_GITHUB_USERS as [(typeof STACK_GITHUB_USERS)[0], (typeof STACK_GITHUB_USERS)[0]];

describeWeb('privacy between vendors', (ctx) => {
  test("B cannot see A's private model or its signals by URL, page or api", async () => {
    const { stack, browser } = ctx();
    const alice = await stack.ensureGitHubOwner(ALICE);
    const secret = uniqueModelId('secret');
    const open = uniqueModelId('open');
    await stack.registerModel(alice, secret, 'private');
    await stack.registerModel(alice, open, 'public');
    await stack.storeSignals([signalNow(alice, secret, 'EURUSD', 'BUY'), signalNow(alice, open, 'EURUSD', 'SELL')]);

    // Alice sees her private model: the page below is the one Bob must not get.
    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, ALICE.login);
      const res = await page.goto(`/marketplace/models/${alice}/${secret}`);
      assert.equal(res?.status(), 200, 'the owner reads her private model');
      await page.locator('main').getByText(secret).first().waitFor();
    });

    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, BOB.login);
      const hidden = await page.goto(`/marketplace/models/${alice}/${secret}`);
      // The not-found page, not A's model, with its status (no loading boundary streams a 200 before notFound()).
      assert.equal(hidden?.status(), 404);
      await page.getByRole('heading', { name: /does not exist|not found/i }).waitFor();
      assert.equal(await page.locator('main').getByText(secret).count(), 0);
      assert.equal(await page.locator('main').getByText('EURUSD').count(), 0);

      await page.goto(`/marketplace/vendor?owner=${alice}`);
      assert.equal(await page.locator('main').getByText(secret).count(), 0, "B's dashboard never lists A's model");

      await page.goto('/marketplace');
      await page.locator('main').getByText(open).first().waitFor();
      assert.equal(await page.locator('main').getByText(secret).count(), 0, 'the listing shows only public models');

      // B's own session (its cookies go to every port of 127.0.0.1) straight at the api, from the page.
      const [model, vendor] = await fetchFromPage(page, [
        { path: `${stack.apiUrl}/api/marketplace/models/${alice}/${secret}` },
        { path: `${stack.apiUrl}/api/marketplace/vendors/${alice}` },
      ]);
      assert.equal(model?.status, 404, model?.body);
      assert.equal(vendor?.status, 200, vendor?.body);
      assert.ok(vendor?.body.includes(open), 'the vendor page lists the public model');
      assert.ok(!vendor?.body.includes(secret), `the vendor page hides the private one: ${vendor?.body.slice(0, 400)}`);
    });
  });

  test("B's live stream carries A's public signals but never A's private ones", async () => {
    const { stack, browser } = ctx();
    const alice = await stack.ensureGitHubOwner(ALICE);
    const secret = uniqueModelId('hush');
    const open = uniqueModelId('loud');
    await stack.registerModel(alice, secret, 'private');
    await stack.registerModel(alice, open, 'public');

    await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
      await signInWithGitHub(page, stack, BOB.login);
      // Live signals are a subscriber's (others see a public model's calls after the platform's delay): B subscribes
      // to A's public model, with a session token like the web's; A's private model cannot be subscribed to.
      const identity = await stack.asService('/api/auth/identity', {
        body: { provider: 'github', provider_user_id: String(BOB.id), user_name: BOB.login },
      });
      const { user_id } = (await identity.json()) as { user_id: string };
      const token = await new SignJWT({ role: 'authenticated', app_metadata: { provider: 'github' } })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user_id)
        .setAudience('authenticated')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(stack.jwtSecret));
      const subscribe = (model_id: string) =>
        fetch(`${stack.apiUrl}/api/subscriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ owner: alice, model_id }),
        });
      const subscribed = await subscribe(open);
      assert.equal(subscribed.status, 201, await subscribed.text());
      assert.equal((await subscribe(secret)).status, 404, "A's private model is not there to subscribe to");
      // The page's own EventSource on the web app's stream, as B's session opens it.
      await page.evaluate(`new Promise((resolve) => {
        window.__events = [];
        const source = new EventSource('/api/stream');
        for (const type of ['signal', 'consensus', 'bar']) {
          source.addEventListener(type, (e) => window.__events.push(e.data));
        }
        source.onopen = () => resolve(true);
      })`);
      await stack.storeSignals([signalNow(alice, secret, 'GBPUSD', 'BUY')]);
      await stack.storeSignals([signalNow(alice, open, 'GBPUSD', 'SELL')]);
      // The public signal, stored after the private one, arriving proves the private one had its chance.
      await page.waitForFunction(`window.__events.some((d) => d.includes(${JSON.stringify(open)}))`, undefined, {
        timeout: 5_000,
      });
      const events = (await page.evaluate('window.__events')) as string[];
      assert.ok(!events.some((d) => d.includes(secret)), `no private signal in ${events.join('\n')}`);
    });
  });
});
