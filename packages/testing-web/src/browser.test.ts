// The harness itself, on tiny pages served from loopback: the internet is blocked and reported, screenshots land in
// test-results/, axe-core finds what it should, and light/dark and phone width reach the page.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  browserSkipReason,
  fetchFromPage,
  findA11yViolations,
  formatViolations,
  isLoopbackUrl,
  launchBrowser,
  openPage,
  screenshot,
  withPage,
} from './browser';

const PAGES: Record<string, string> = {
  '/good': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Good</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>:root{color-scheme:light dark}body{font-family:sans-serif}@media (prefers-color-scheme: dark){body{background:#111;color:#eee}}</style></head>
<body><main><h1>Signals</h1><img src="/dot.svg" alt="a dot"><p id="scheme"></p><p id="width"></p></main>
<script>document.getElementById('scheme').textContent = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
document.getElementById('width').textContent = String(innerWidth);</script></body></html>`,
  '/leaky': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leaky</title>
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter"></head>
<body><main><h1>Leaky</h1><img id="ext" src="https://example.com/pixel.png" alt="pixel"></main>
<script>fetch('http://203.0.113.7/beacon').catch(() => {});</script></body></html>`,
  '/inaccessible': `<!doctype html><html><head><meta charset="utf-8"><title>Bad</title></head>
<body><img src="/dot.svg"><button></button></body></html>`,
};

let server: Server;
let base = '';
let browser: Browser | undefined;
const skip = browserSkipReason();

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/echo' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ cookie: req.headers.cookie ?? null, body: JSON.parse(body) }));
      });
      return;
    }
    if (req.url === '/dot.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      return res.end(
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle cx="4" cy="4" r="4"/></svg>',
      );
    }
    const html = PAGES[req.url ?? ''];
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server.close();
});

test('loopback means 127/8, localhost and ::1 (and inline data), nothing else', () => {
  for (const url of [
    'http://127.0.0.1:3000/x',
    'http://localhost/',
    'http://[::1]:8/',
    'http://127.9.9.9/',
    'data:,x',
  ]) {
    assert.ok(isLoopbackUrl(url), url);
  }
  for (const url of [
    'https://example.com/',
    'http://10.0.0.1/',
    'http://127.0.0.1.nip.io/',
    'http://128.0.0.1/',
    'x',
  ]) {
    assert.ok(!isLoopbackUrl(url), url);
  }
});

describe('browser harness (Debian Chromium)', { skip }, () => {
  test('a loopback-only page passes, reports light/dark and phone width, and its screenshot is saved', async () => {
    const b = browser as Browser;
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const viewport of ['desktop', 'phone'] as const) {
        await withPage(b, { baseURL: base, colorScheme, viewport }, async (page) => {
          await page.goto('/good');
          assert.equal(await page.textContent('#scheme'), colorScheme);
          assert.equal(await page.textContent('#width'), viewport === 'phone' ? '390' : '1280');
          const path = await screenshot(page, `harness-good-${colorScheme}-${viewport}`);
          assert.ok(existsSync(path) && statSync(path).size > 500, `screenshot at ${path}`);
        });
      }
    }
  });

  test('a page that reaches for the internet is blocked and fails the test, naming each URL', async () => {
    const handle = await openPage(browser as Browser, { baseURL: base });
    await handle.page.goto('/leaky');
    await handle.page.waitForLoadState('networkidle');
    const loaded = await handle.page.evaluate(
      () =>
        (
          globalThis as unknown as { document: { getElementById(id: string): { naturalWidth: number } } }
        ).document.getElementById('ext').naturalWidth,
    );
    assert.equal(loaded, 0, 'the external image never loaded');
    assert.ok(
      handle.blocked.some((u) => u.startsWith('https://fonts.googleapis.com/')),
      handle.blocked.join(),
    );
    assert.ok(handle.blocked.includes('https://example.com/pixel.png'));
    assert.ok(handle.blocked.includes('http://203.0.113.7/beacon'));
    await assert.rejects(handle.close(), /tried to reach the internet.*example\.com\/pixel\.png/);
  });

  test('withPage fails a test whose page tried an external request even when the body passed', async () => {
    await assert.rejects(
      withPage(browser as Browser, { baseURL: base }, async (page) => {
        await page.goto('/leaky');
        await page.waitForLoadState('networkidle');
      }),
      /tried to reach the internet/,
    );
  });

  test('axe-core reports serious and critical violations, and none on an accessible page', async () => {
    await withPage(browser as Browser, { baseURL: base }, async (page) => {
      await page.goto('/inaccessible');
      const bad = await findA11yViolations(page);
      const ids = bad.map((v) => v.id).sort();
      assert.ok(ids.includes('image-alt'), formatViolations(bad));
      assert.ok(ids.includes('button-name'), formatViolations(bad));
      assert.ok(bad.every((v) => v.impact === 'serious' || v.impact === 'critical'));
      assert.match(formatViolations(bad), /critical image-alt: .*img/);

      await page.goto('/good');
      assert.deepEqual(await findA11yViolations(page), []);
    });
  });

  test('fetchFromPage sends requests from the page with its cookies', async () => {
    await withPage(browser as Browser, { baseURL: base }, async (page, handle) => {
      await page.goto('/good');
      await handle.context.addCookies([{ name: 'sid', value: 'abc', url: base }]);
      const [echo, missing] = await fetchFromPage(page, [{ path: '/echo', body: { n: 1 } }, { path: '/nope' }]);
      assert.equal(echo?.status, 201);
      assert.deepEqual(JSON.parse(echo?.body ?? ''), { cookie: 'sid=abc', body: { n: 1 } });
      assert.equal(missing?.status, 404);
    });
  });

  test('a failing step names the page, its text and a screenshot', async () => {
    const failed = await withPage(browser as Browser, { baseURL: base, timeoutMs: 500 }, async (page) => {
      await page.goto('/good');
      await page.getByRole('button', { name: 'Not there' }).click();
    }).catch((err: Error) => err);
    assert.ok(failed instanceof Error);
    assert.match(failed.message, /page: http:\/\/127\.0\.0\.1:\d+\/good/);
    assert.match(failed.message, /text: Signals/);
    const shot = /screenshot: (\S+\.png)/.exec(failed.message)?.[1] ?? '';
    assert.ok(existsSync(shot), shot);
  });
});
