// Shared set-up of the browser tests: per database backend one running stack (api, stand-ins, built web app) and one
// Chromium, and the sign-in steps a person takes. Tests skip (with how to install it) where Chromium is missing.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type Backend, testBackends } from '@neuronetiq/db/testing';
import { browserSkipReason, launchBrowser } from '@neuronetiq/testing-web';
import { startWebStack, type WebStack } from '@neuronetiq/testing-web/stack';
import type { Browser, Page } from 'playwright-core';

export interface E2eContext {
  stack: WebStack;
  browser: Browser;
}

/**
 * One backend for the browser tests whose subject is the page, not the database (PostgreSQL when there is one, being
 * what production runs; the api's own tests cover both databases). Files where the database path shows in the browser
 * — the live stream (NOTIFY on PostgreSQL, polling on PGlite) and privacy between vendors — run on both.
 */
export const PAGE_BACKEND: readonly Backend[] = [testBackends().includes('postgres') ? 'postgres' : 'pglite'];

/** Declares `fn`'s tests once per backend (or only those given), each with its own stack and browser. */
export function describeWeb(
  name: string,
  fn: (ctx: () => E2eContext) => void,
  options: { backends?: readonly Backend[] } = {},
): void {
  const skip = browserSkipReason();
  const backends = testBackends().filter((b) => !options.backends || options.backends.includes(b));
  for (const backend of backends) {
    describe(`${name} [${backend}]`, { skip }, () => {
      let ctx: E2eContext | undefined;
      before(async () => {
        const lines: string[] = [];
        // Server logs reach the test output only when a stack fails to start.
        const log = (line: string) => lines.push(line);
        const [stack, browser] = await Promise.all([
          startWebStack({ backend, log }).catch((err: unknown) => {
            throw new Error(`the web stack did not start: ${String(err)}\n${lines.slice(-40).join('\n')}`);
          }),
          launchBrowser(),
        ]);
        ctx = { stack, browser };
      });
      after(async () => {
        await ctx?.browser.close();
        await ctx?.stack.close();
      });
      fn(() => {
        if (!ctx) throw new Error('e2e context used before set-up');
        return ctx;
      });
    });
  }
}

/** Signs in on the login page through the GitHub stand-in, picking `login` there; ends back on the app, signed in. */
export async function signInWithGitHub(page: Page, stack: WebStack, login: string, next = '/marketplace/vendor') {
  await page.goto(`/marketplace/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('button', { name: 'Continue with GitHub' }).click();
  await page.waitForURL((url) => url.origin === stack.github.url);
  await page.getByRole('button', { name: `Continue as ${login}` }).click();
  await page.waitForURL((url) => url.origin === stack.webUrl && !url.pathname.startsWith('/api/auth'));
  await page.getByTestId('signed-in-owner').waitFor({ state: 'attached' });
}

/** Signs in through the Google stand-in (oidc-provider), picking the account with `email`. */
export async function signInWithGoogle(page: Page, stack: WebStack, email: string, next = '/marketplace/vendor') {
  await page.goto(`/marketplace/login?next=${encodeURIComponent(next)}`);
  await page.getByRole('button', { name: 'Continue with Google' }).click();
  await page.waitForURL((url) => url.origin === stack.google.issuer);
  await page.getByRole('button', { name: `Continue as ${email}` }).click();
  await page.waitForURL((url) => url.origin === stack.webUrl && !url.pathname.startsWith('/api/auth'));
  await page.getByTestId('signed-in-owner').waitFor({ state: 'attached' });
}

/** The owner the header shows for the signed-in person. */
export async function shownOwner(page: Page): Promise<string> {
  const owner = page.getByTestId('signed-in-owner');
  await owner.waitFor({ state: 'visible' });
  const text = (await owner.textContent())?.trim() ?? '';
  assert.notEqual(text, '', 'the header shows an owner');
  return text;
}

/** A signal on the 1m bar open now (stored on time), as the orchestrator sends it. */
export function signalNow(
  owner: string,
  modelId: string,
  symbol: string,
  decision: 'BUY' | 'SELL' | 'NEUTRAL' = 'BUY',
) {
  return {
    owner,
    model_id: modelId,
    symbol,
    timeframe: '1m',
    bar_ts: new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString(),
    decision,
    confidence: 0.72,
    meta: { source: 'e2e' },
  };
}

/** A model id no other test uses. */
export const uniqueModelId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** Waits until the page's live badge says its event stream is open. */
export async function waitUntilLive(page: Page): Promise<void> {
  await page
    .getByTestId('live-status')
    .filter({ hasText: /^\s*Live\s*$/ })
    .waitFor();
}

/** The dashboard's live table of the owner's latest signals (SignalsPanel). */
export const latestSignals = (page: Page) => page.getByRole('table', { name: 'Your latest signals' });
