// The browser side of the web tests: Debian's Chromium driven by playwright-core (never a downloaded browser), pages
// that may reach loopback only (anything else is aborted and fails the test), screenshots under test-results/, and
// axe-core for accessibility.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless run in a container: no sandbox (root, no user namespaces), no GPU, nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** `<repo>/test-results`: screenshots and reports, gitignored, kept by CI as artifacts. */
export const TEST_RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-results');

/**
 * Why browser tests cannot run here, for `test(name, { skip })`; false when they can. In CI (`CI` set) they never
 * skip: a missing Chromium there must fail the run, since `.ci/run` installs it.
 */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return false;
  return `no Chromium at ${CHROMIUM_PATH}: install Debian's package (sudo apt-get install chromium) to run the browser tests`;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with apt-get install chromium (.ci/run does in CI)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export function isLoopbackUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export interface OpenPageOptions {
  baseURL?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: ViewportName;
  /** IANA zone the page sees (times are shown in the viewer's zone). */
  timezoneId?: string;
  locale?: string;
  /** Playwright's wait for each action and navigation (default 10 s). */
  timeoutMs?: number;
  /** Cookies and storage to start from (`context.storageState()` of a signed-in context). */
  storageState?: Awaited<ReturnType<BrowserContext['storageState']>>;
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Non-loopback URLs the page tried to reach (each was aborted). */
  readonly blocked: readonly string[];
  /** Uncaught exceptions in the page. */
  readonly pageErrors: readonly string[];
  /** Throws listing every blocked request. */
  assertNoExternalRequests(): void;
  /** Asserts no external request was tried, then closes the context (closing also when the assertion fails). */
  close(): Promise<void>;
}

/** A fresh context (own cookies) with one page whose network is loopback only. */
export async function openPage(browser: Browser, options: OpenPageOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    colorScheme: options.colorScheme ?? 'light',
    viewport: VIEWPORTS[options.viewport ?? 'desktop'],
    isMobile: options.viewport === 'phone',
    hasTouch: options.viewport === 'phone',
    locale: options.locale ?? 'en-US',
    timezoneId: options.timezoneId ?? 'UTC',
    serviceWorkers: 'block',
    ...(options.storageState ? { storageState: options.storageState } : {}),
  });
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(/.*/, (ws) => {
    if (isLoopbackUrl(ws.url())) {
      ws.connectToServer();
      return;
    }
    blocked.push(ws.url());
    return ws.close({ code: 1008, reason: 'blocked by the test: not loopback' });
  });
  // Fail fast: a missing element is a failed step, and the file's 3-minute limit must not be eaten by one wait.
  context.setDefaultTimeout(options.timeoutMs ?? 10_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const assertNoExternalRequests = () => {
    if (blocked.length > 0) {
      throw new Error(`the page tried to reach the internet (blocked): ${[...new Set(blocked)].join(', ')}`);
    }
  };
  return {
    page,
    context,
    blocked,
    pageErrors,
    assertNoExternalRequests,
    async close() {
      try {
        assertNoExternalRequests();
      } finally {
        await context.close();
      }
    },
  };
}

/** Runs `fn` with a fresh loopback-only page, then fails if the page tried to reach anything else. */
export async function withPage<T>(
  browser: Browser,
  options: OpenPageOptions,
  fn: (page: Page, handle: TestPage) => Promise<T>,
): Promise<T> {
  const handle = await openPage(browser, options);
  let result: T;
  try {
    result = await fn(handle.page, handle);
  } catch (err) {
    // What the page showed when the test failed: its address, its text and a screenshot, in the failure itself.
    const page = handle.page;
    const shot = await screenshot(page, `failure-${Date.now()}`).catch(() => 'none');
    const text = await page
      // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees, not the page's inline scripts
      .innerText('body', { timeout: 1000 })
      .then((t) => t.replace(/\s+/g, ' ').slice(0, 600))
      .catch(() => '');
    await handle.context.close();
    if (err instanceof Error) {
      let extra = `\n  page: ${page.url()}\n  text: ${text}\n  screenshot: ${shot}`;
      if (handle.blocked.length > 0) extra += `\n  blocked: ${handle.blocked.join(', ')}`;
      if (handle.pageErrors.length > 0) extra += `\n  page errors: ${handle.pageErrors.join(' | ')}`;
      // The test reporter prints the stack, which holds its own copy of the message.
      err.message += extra;
      if (err.stack) err.stack = `${err.stack.split('\n')[0]}${extra}\n${err.stack.split('\n').slice(1).join('\n')}`;
    }
    throw err;
  }
  await handle.close();
  return result;
}

/** Saves a full-page PNG as `test-results/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(TEST_RESULTS_DIR, { recursive: true });
  const path = join(TEST_RESULTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** CSS selectors of the offending nodes. */
  targets: string[];
}

const SEVERE = new Set(['serious', 'critical']);

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated through the DevTools
 * protocol, so the page's Content-Security-Policy does not stop it.
 */
export async function findA11yViolations(page: Page): Promise<A11yViolation[]> {
  // The callbacks run in the page, where axe is a global once its source has been evaluated there.
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] }),
  );
  return results.violations
    .filter((v) => v.impact && SEVERE.has(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact as string,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

export function formatViolations(violations: readonly A11yViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.slice(0, 5).join(', ')})`).join('\n');
}

export interface PageRequest {
  /** Same-origin path, e.g. `/api/auth/update-user`. */
  path: string;
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
}

/**
 * Sends requests from inside the page, with its cookies and origin: what a person can do from the devtools console.
 * The script is plain JavaScript text, since a TypeScript loader may wrap a serialized callback in helpers the
 * page does not have.
 */
export async function fetchFromPage(
  page: Page,
  requests: readonly PageRequest[],
): Promise<{ status: number; body: string }[]> {
  const script = `(async (requests) => {
    const out = [];
    for (const r of requests) {
      const hasBody = r.body !== undefined;
      const res = await fetch(r.path, {
        method: r.method || (hasBody ? 'POST' : 'GET'),
        headers: hasBody ? { 'content-type': 'application/json' } : {},
        body: hasBody ? JSON.stringify(r.body) : undefined,
      });
      out.push({ status: res.status, body: await res.text() });
    }
    return out;
  })(${JSON.stringify(requests)})`;
  return page.evaluate(script);
}
