// The vendor dashboard: the signals the api stored for the signed-in owner, live updates within a second of being
// stored (on each database: NOTIFY on PostgreSQL, the log poll on PGlite), and API keys shown once that work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPage } from '@neuronetiq/testing-web';
import { STACK_GITHUB_USERS } from '@neuronetiq/testing-web/stack';
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
const API_KEY = /mp_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/;

describeWeb('vendor dashboard', (ctx) => {
  test('lists the signals posted through the api for the signed-in owner', async () => {
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
});
