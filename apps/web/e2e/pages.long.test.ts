// Every main page in a real browser: a screenshot of each, light and dark, desktop and phone width (test-results/),
// and axe-core finding no serious or critical violation. The pages are filled with a public model, bars and signals.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { before, test } from 'node:test';
import { repos } from '@neuronetiq/db';
import { findA11yViolations, formatViolations, screenshot, withPage } from '@neuronetiq/testing-web';
import { STACK_GITHUB_USERS } from '@neuronetiq/testing-web/stack';
import type { BrowserContext } from 'playwright-core';
import { describeWeb, type E2eContext, PAGE_BACKEND, signalNow, signInWithGitHub } from './support';

const ALICE = STACK_GITHUB_USERS[0] as (typeof STACK_GITHUB_USERS)[number];
const MODEL = 'shots-rsi';
/** A second public model with fewer scored calls, so the leaderboard's sorts have something to order. */
const RIVAL = 'shots-sma';

/**
 * Calls on past EURUSD bars, every `step` minutes, made on time (received 30 s into their bar) and scored now, as the
 * api would have stored them live: written late through the api, then dated back and scored in SQL.
 */
async function scoredHistory(stack: E2eContext['stack'], owner: string, modelId: string, step: number) {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const signals = [];
  for (let k = 230, i = 0; k > 5; k -= step, i++) {
    signals.push({
      owner,
      model_id: modelId,
      symbol: 'EURUSD',
      timeframe: '1m',
      bar_ts: new Date(now - k * 60_000).toISOString(),
      decision: i % 3 === 2 ? 'SELL' : 'BUY',
      confidence: 0.5 + (i % 5) / 10,
      meta: { source: 'e2e' },
    });
  }
  await stack.storeSignals(signals);
  await stack.database.db.query(
    `UPDATE ml.signals_latest SET received_at = bar_ts + interval '30 seconds', late = false
     WHERE owner = $1 AND model_id = $2 AND bar_ts < $3`,
    [owner, modelId, new Date(now - 60_000).toISOString()],
  );
  await stack.database.db.query('SELECT ml.score_signals($1, $2)', [
    new Date(now - 240 * 60_000).toISOString(),
    new Date(now).toISOString(),
  ]);
}

interface MainPage {
  name: string;
  path: (owner: string) => string;
  signedIn: boolean;
  status?: number;
  /** A known defect that keeps axe from passing: the axe test is reported as a to-do with this reason. */
}

const PAGES: MainPage[] = [
  { name: 'marketplace', path: () => '/marketplace', signedIn: false },
  {
    name: 'model',
    path: (owner) => `/marketplace/models/${owner}/${MODEL}`,
    // Its owner: the model's calls (BUY badges, the chart) are on the page, inside the delay anyone else waits out.
    signedIn: true,
  },
  {
    name: 'trade',
    path: () => '/trade/EURUSD',
    signedIn: true,
  },
  { name: 'login', path: () => '/marketplace/login', signedIn: false },
  { name: 'not-found', path: () => '/no-such-page', signedIn: false, status: 404 },
  {
    name: 'vendor',
    path: () => '/marketplace/vendor',
    signedIn: true,
  },
  { name: 'setup', path: () => '/marketplace/setup', signedIn: true },
];

type SessionState = Awaited<ReturnType<BrowserContext['storageState']>>;

describeWeb(
  'main pages',
  (ctx) => {
    let owner = '';
    // Per page: the HTTP status of each visit, and axe's findings per colour scheme (desktop width).
    const visits: { page: string; status: number | undefined; shot: string }[] = [];
    const axeFindings = new Map<string, string[]>();
    const sideways: string[] = [];
    let session: SessionState | undefined;
    before(async () => {
      const { stack, browser } = ctx();
      owner = await stack.ensureGitHubOwner(ALICE);
      await stack.registerModel(owner, MODEL, 'public');
      await stack.storeBars('EURUSD', 240);
      await stack.registerModel(owner, RIVAL, 'public');
      await scoredHistory(stack, owner, MODEL, 3);
      await scoredHistory(stack, owner, RIVAL, 11);
      await stack.storeSignals([signalNow(owner, MODEL, 'EURUSD', 'BUY'), signalNow(owner, MODEL, 'BTCUSDT', 'SELL')]);
      // Signed in once; each context below starts from that session.
      session = await withPage(browser, { baseURL: stack.webUrl, timeoutMs: 30_000 }, async (page, handle) => {
        await signInWithGitHub(page, stack, ALICE.login);
        return handle.context.storageState();
      });
      // One context per page and width; the colour scheme switches in place (the app follows prefers-color-scheme).
      for (const p of PAGES) {
        for (const viewport of ['desktop', 'phone'] as const) {
          const storageState = p.signedIn ? session : undefined;
          await withPage(
            browser,
            { baseURL: stack.webUrl, viewport, storageState, timeoutMs: 30_000 },
            async (page) => {
              const res = await page.goto(p.path(owner));
              await page.waitForLoadState('load');
              if (viewport === 'phone') {
                // Against the phone's width, not window.innerWidth: a mobile browser widens its layout viewport to the
                // content, so innerWidth grows with the overflow it should reveal.
                const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
                const windowWidth = page.viewportSize()?.width ?? 0;
                if (wide > windowWidth) sideways.push(`${p.name}: ${wide} px wide in a ${windowWidth} px window`);
              }
              for (const colorScheme of ['light', 'dark'] as const) {
                await page.emulateMedia({ colorScheme });
                const shot = await screenshot(page, `web-${p.name}-${colorScheme}-${viewport}`);
                visits.push({ page: p.path(owner), status: res?.status(), shot });
                if (viewport !== 'desktop') continue;
                const violations = await findA11yViolations(page);
                if (violations.length > 0) {
                  axeFindings.set(p.name, [
                    ...(axeFindings.get(p.name) ?? []),
                    `${colorScheme}:\n${formatViolations(violations)}`,
                  ]);
                }
              }
            },
          );
        }
      }
    });

    test('screenshots of every main page, light and dark, desktop and phone width, in test-results/', () => {
      assert.equal(visits.length, PAGES.length * 4);
      for (const v of visits) {
        const expected = PAGES.find((p) => p.path(owner) === v.page)?.status ?? 200;
        assert.equal(v.status, expected, `${v.page} answered ${v.status}`);
        assert.ok(statSync(v.shot).size > 2_000, `${v.shot} holds a picture`);
      }
    });

    test('no main page scrolls sideways at phone width', () => {
      assert.deepEqual(sideways, []);
    });

    test('the leaderboard re-orders when the sort changes, by the form and by a column header', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl, storageState: session, timeoutMs: 30_000 }, async (page) => {
        // The owner sees their own calls' figures at once (anyone else after the delay).
        await page.goto('/marketplace');
        await page.locator('#sort').selectOption('resolved');
        await page.locator('#order').selectOption('asc');
        await page.getByRole('button', { name: 'Apply' }).click();
        await page.waitForURL(/sort=resolved/);
        const read = async () => {
          const rows = page.getByTestId('model-row');
          await rows.first().waitFor();
          const ids = (await rows.getByTestId('model-id').allTextContents()).map((t) => t.trim());
          const resolved = (await rows.locator('[data-metric="resolved"]').allTextContents()).map((t) =>
            Number(t.replace(/\D/g, '')),
          );
          return { ids, resolved };
        };
        const asc = await read();
        assert.deepEqual(asc.ids, [RIVAL, MODEL], JSON.stringify(asc));
        assert.ok((asc.resolved[0] ?? 0) < (asc.resolved[1] ?? 0), JSON.stringify(asc));
        // The active header's link flips the order.
        await page.getByTestId('sort-resolved').click();
        await page.waitForURL(/order=desc/);
        const desc = await read();
        assert.deepEqual(desc.ids, [MODEL, RIVAL], JSON.stringify(desc));
        assert.deepEqual(desc.resolved, [...asc.resolved].reverse());
      });
    });

    test('the model page charts equity, drawdown and hit rate, and its figures explain themselves on hover and focus', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl, storageState: session, timeoutMs: 30_000 }, async (page) => {
        await page.goto(`/marketplace/models/${owner}/${MODEL}`);
        for (const kind of ['equity', 'drawdown', 'hit_rate']) {
          await page.getByTestId(`chart-${kind}`).locator('canvas').first().waitFor();
        }
        assert.ok((await page.getByTestId('stats-table').locator('tbody tr').count()) >= 3, 'a row per window');
        const term = page.getByTestId('explain-chart-equity');
        const tip = page.locator('#explain-chart-equity');
        assert.equal(await term.getAttribute('aria-describedby'), 'explain-chart-equity');
        assert.equal(await tip.getAttribute('role'), 'tooltip');
        assert.equal(await tip.isVisible(), false, 'hidden until asked for');
        await term.hover();
        await tip.waitFor({ state: 'visible' });
        assert.match((await tip.textContent()) ?? '', /Cumulative position return/);
        await page.mouse.move(0, 0);
        await tip.waitFor({ state: 'hidden' });
        // By keyboard: focus the Sharpe heading of the figures table.
        await page.getByTestId('explain-stat-sharpe').focus();
        await page.locator('#explain-stat-sharpe').waitFor({ state: 'visible' });
        assert.match((await page.locator('#explain-stat-sharpe').textContent()) ?? '', /standard deviation/);
      });
    });

    test('an anonymous visitor whose leaderboard figures are all blank is told why', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        // The scored calls are hours old, inside the delay: nothing the visitor may see is scored yet.
        await page.goto('/marketplace');
        await page.getByTestId('model-row').first().waitFor();
        const hit = (await page.locator('[data-metric="hit_rate"]').allTextContents()).map((t) => t.trim());
        assert.ok(hit.length >= 2 && hit.every((t) => t === '—'), JSON.stringify(hit));
        const note = page.getByTestId('marketplace-no-figures');
        await note.waitFor();
        assert.match((await note.textContent()) ?? '', /live calls only.*delay.*backfilled history/s);
      });
      // The owner sees figures, and no such note.
      await withPage(browser, { baseURL: stack.webUrl, storageState: session }, async (page) => {
        await page.goto('/marketplace');
        await page.getByTestId('model-row').first().waitFor();
        assert.equal(await page.getByTestId('marketplace-no-figures').count(), 0);
      });
    });

    test('the trading view renders for a visitor who is not signed in', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        const res = await page.goto('/trade/EURUSD');
        assert.equal(res?.status(), 200);
        await page.getByRole('region', { name: /EURUSD .*chart/ }).waitFor();
      });
    });

    test('an anonymous visitor sees the delayed consensus on /trade with the delay said, never the fresh one', async () => {
      const { stack, browser } = ctx();
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      const made = (decision: string) => [{ model_id: MODEL, decision, confidence: 0.8, weight: 1 }];
      // A fresh consensus through the api, as the orchestrator stores it at a bar close, and one made two days ago.
      const fresh = await stack.asService('/api/consensus/store', {
        body: {
          owner,
          symbol: 'EURUSD',
          timeframe: '1m',
          bar_ts: new Date(minute).toISOString(),
          decision: 'BUY',
          confidence: 0.9,
          contributors: made('BUY'),
        },
      });
      assert.equal(fresh.status, 204, await fresh.text());
      const twoDaysAgo = minute - 2 * 86_400_000;
      await stack.database.db.query(
        `INSERT INTO ml.consensus_latest (owner, symbol, timeframe, bar_ts, decision, confidence, contributors,
                                          received_at)
         VALUES ($1, 'EURUSD', '1m', $2, 'SELL', 0.7, $3, $4)`,
        [owner, new Date(twoDaysAgo).toISOString(), JSON.stringify(made('SELL')), new Date(twoDaysAgo + 5_000)],
      );
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        const res = await page.goto('/trade/EURUSD');
        assert.equal(res?.status(), 200);
        const strip = page.getByTestId('consensus-strip');
        await strip.getByTestId('consensus-delayed').waitFor();
        const text = (await strip.textContent()) ?? '';
        assert.match(text, /SELL/, 'the consensus older than the delay is shown');
        assert.doesNotMatch(text, /BUY/, 'the fresh consensus is not');
        assert.match(text, /Delayed by 24 hours/);
        await strip.getByRole('link', { name: 'Sign in' }).waitFor();
        await screenshot(page, 'web-trade-anonymous-consensus');
        const violations = await findA11yViolations(page);
        assert.deepEqual(violations, [], formatViolations(violations));
      });
    });

    test('an anonymous visitor sees a backfilled consensus on /trade at once, marked backfilled', async () => {
      const { stack, browser } = ctx();
      // What `npm start`'s demo backfill stores over the feed's past bars: minutes old, far inside the delay.
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      const rows = [5, 4, 3].map((k) => ({
        owner,
        symbol: 'BTCUSDT',
        timeframe: '1m' as const,
        bar_ts: new Date(minute - k * 60_000).toISOString(),
        decision: 'SELL' as const,
        confidence: 0.6,
        contributors: [{ model_id: MODEL, decision: 'SELL' as const, confidence: 0.6, weight: 1 }],
        meta: { backfilled: true },
      }));
      assert.equal(await repos.consensus.storeBackfilled(stack.database.db, rows), 3);
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        const res = await page.goto('/trade/BTCUSDT');
        assert.equal(res?.status(), 200);
        const strip = page.getByTestId('consensus-strip');
        await strip.getByTestId('consensus-backfilled').waitFor();
        assert.match((await strip.textContent()) ?? '', /SELL/);
        assert.equal(await strip.getByTestId('consensus-empty').count(), 0);
        const bar = strip.getByRole('listitem').last();
        assert.match(
          (await bar.getAttribute('title')) ?? '',
          /SELL 60% · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · backfilled/,
        );
        await screenshot(page, 'web-trade-anonymous-backfilled-consensus');
      });
    });

    test('every page names an icon the browser can load (no 404 for /favicon.ico in the tab)', async () => {
      const { stack, browser } = ctx();
      await withPage(browser, { baseURL: stack.webUrl }, async (page) => {
        for (const path of ['/marketplace', '/trade/EURUSD', '/marketplace/login']) {
          await page.goto(path);
          const href = await page.locator('head link[rel="icon"]').first().getAttribute('href');
          assert.ok(href, `${path} links an icon`);
          const res = await fetch(new URL(href, stack.webUrl));
          assert.equal(res.status, 200, `${path}: ${href} answered ${res.status}`);
          assert.match(res.headers.get('content-type') ?? '', /^image\//);
        }
      });
    });

    test('/trade without a symbol leads to the chart the header links to', async () => {
      const res = await fetch(`${ctx().stack.webUrl}/trade`, { redirect: 'manual' });
      assert.equal(res.status, 307);
      assert.equal(new URL(res.headers.get('location') ?? '', ctx().stack.webUrl).pathname, '/trade/BTCUSDT');
    });

    test('an unknown model, vendor or symbol answers 404 with the not-found page', async () => {
      const { stack } = ctx();
      for (const path of [
        `/marketplace/models/${owner}/no-such-model`,
        '/marketplace/models/no-such-vendor/no-such-model',
        '/trade/NOT%20A%20SYMBOL',
      ]) {
        const res = await fetch(`${stack.webUrl}${path}`);
        const body = await res.text();
        assert.equal(res.status, 404, `${path} answered ${res.status}`);
        assert.match(body, /This page does not exist/, path);
      }
    });

    for (const p of PAGES) {
      test(`axe finds no serious or critical violation on ${p.name}, light and dark`, () => {
        const found = axeFindings.get(p.name) ?? [];
        assert.deepEqual(found, [], found.join('\n'));
      });
    }
  },
  { backends: PAGE_BACKEND },
);
