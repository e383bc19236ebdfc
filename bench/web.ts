// `npm run bench -- web [--signals 100000] [--renders 60] [--events 40]`: the web app on the whole stack (api, built
// Next.js app, OAuth stand-ins) with N signals stored, on the embedded PGlite and on PostgreSQL (DATABASE_URL, or the
// local server at 127.0.0.1:5432 when it answers).
//  - server render: wall time of GET /marketplace (anonymous) and /marketplace/vendor (signed in) until the last byte;
//  - live stream: from the start of POST /api/signals/store to the browser's EventSource receiving the signal through
//    the web app's /api/stream (so it includes the store itself, NOTIFY or the PGlite poll, the api's and the web
//    app's streams and Chromium).
// Targets (issue 11): render p95 < 200 ms on PostgreSQL; stream p95 < 1 s on both databases.
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import type { Backend } from '@neuronetiq/db/testing';
import { launchBrowser, openPage } from '@neuronetiq/testing-web';
import { STACK_GITHUB_USERS, startWebStack, type WebStack } from '@neuronetiq/testing-web/stack';
import type { Browser } from 'playwright-core';
import { machine, median, percentile, writeSection } from './report';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SIGNALS = arg('signals', 100_000);
const RENDERS = arg('renders', 60);
const EVENTS = arg('events', 40);
const WARMUP = 5;
const SYMBOLS = ['EURUSD', 'GBPUSD', 'USDJPY', 'BTCUSDT', 'ETHUSDT'] as const;
const MODELS = 20;

const pgUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgAnswers = await new Promise<boolean>((resolve) => {
  const u = new URL(pgUrl);
  const socket = connect(Number(u.port || 5432), u.hostname);
  socket.once('connect', () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});
// @neuronetiq/db/testing creates its PostgreSQL databases on the server of DATABASE_URL.
if (pgAnswers) process.env.DATABASE_URL = pgUrl;
const backends: Backend[] = pgAnswers ? ['postgres', 'pglite'] : ['pglite'];

interface Result {
  backend: Backend;
  seedS: number;
  marketplace: number[];
  vendor: number[];
  stream: number[];
}

/** N signals over 20 public models of two vendors × 5 symbols, 1m bars back from now (old bars: stored late). */
async function seed(stack: WebStack, owners: string[]): Promise<void> {
  const models: { owner: string; id: string }[] = [];
  for (let m = 0; m < MODELS; m++) {
    const owner = owners[m % owners.length] as string;
    const id = `bench-model-${m}`;
    await stack.registerModel(owner, id, 'public');
    models.push({ owner, id });
  }
  const bars = Math.ceil(SIGNALS / (MODELS * SYMBOLS.length));
  const start = Math.floor(Date.now() / 60_000) * 60_000 - bars * 60_000;
  let batch: Record<string, unknown>[] = [];
  let stored = 0;
  for (let b = 0; b < bars && stored < SIGNALS; b++) {
    for (const model of models) {
      for (const symbol of SYMBOLS) {
        if (stored >= SIGNALS) break;
        batch.push({
          owner: model.owner,
          model_id: model.id,
          symbol,
          timeframe: '1m',
          bar_ts: new Date(start + b * 60_000).toISOString(),
          decision: (['BUY', 'SELL', 'NEUTRAL'] as const)[(b + stored) % 3],
          confidence: ((b * 7 + stored) % 100) / 100,
          meta: {},
        });
        stored++;
        if (batch.length === 1000) {
          await stack.storeSignals(batch);
          batch = [];
        }
      }
    }
  }
  if (batch.length > 0) await stack.storeSignals(batch);
}

async function timeGet(url: string, cookie?: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return ms;
}

async function measure(backend: Backend, browser: Browser): Promise<Result> {
  console.log(`\n[${backend}] starting the stack`);
  const stack = await startWebStack({ backend });
  try {
    const alice = STACK_GITHUB_USERS[0] as (typeof STACK_GITHUB_USERS)[number];
    const bob = STACK_GITHUB_USERS[1] as (typeof STACK_GITHUB_USERS)[number];
    const owners = [await stack.ensureGitHubOwner(alice), await stack.ensureGitHubOwner(bob)];
    const t0 = performance.now();
    await seed(stack, owners);
    const seedS = (performance.now() - t0) / 1000;
    console.log(`[${backend}] stored ${SIGNALS.toLocaleString('en-US')} signals in ${seedS.toFixed(1)} s`);

    // Signed in as alice through the GitHub stand-in, in the browser; the render timing reuses its cookies.
    const handle = await openPage(browser, { baseURL: stack.webUrl, timeoutMs: 30_000 });
    try {
      const page = handle.page;
      await page.goto('/marketplace/login');
      await page.getByRole('button', { name: 'Continue with GitHub' }).click();
      await page.getByRole('button', { name: `Continue as ${alice.login}` }).click();
      await page.waitForURL((url) => url.origin === stack.webUrl && !url.pathname.startsWith('/api/auth'));
      const cookie = (await handle.context.cookies(stack.webUrl)).map((c) => `${c.name}=${c.value}`).join('; ');

      const marketplace: number[] = [];
      const vendor: number[] = [];
      for (let i = 0; i < WARMUP + RENDERS; i++) {
        const m = await timeGet(`${stack.webUrl}/marketplace`);
        const v = await timeGet(`${stack.webUrl}/marketplace/vendor`, cookie);
        if (i >= WARMUP) {
          marketplace.push(m);
          vendor.push(v);
        }
      }
      console.log(
        `[${backend}] render p50 /marketplace ${median(marketplace).toFixed(0)} ms, vendor ${median(vendor).toFixed(0)} ms`,
      );

      // The browser's own EventSource on the web app's stream; each event's arrival time by its confidence tag.
      await page.goto('/marketplace');
      await page.evaluate(`new Promise((resolve) => {
        window.__arrivals = {};
        const source = new EventSource('/api/stream');
        source.addEventListener('signal', (e) => {
          const data = JSON.parse(e.data);
          const row = data.data || data;
          if (row.meta && row.meta.bench_tag) window.__arrivals[row.meta.bench_tag] = Date.now();
        });
        source.onopen = () => resolve(true);
      })`);
      const stream: number[] = [];
      const owner = owners[0] as string;
      // One fresh model per sample: each signal is a new row on the open bar (not an update of an earlier one).
      for (let i = 0; i < WARMUP + EVENTS; i++) await stack.registerModel(owner, `bench-live-${i}`, 'public');
      const openBar = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
      for (let i = 0; i < WARMUP + EVENTS; i++) {
        const tag = `e${i}`;
        const sent = Date.now();
        await stack.storeSignals([
          {
            owner,
            model_id: `bench-live-${i}`,
            symbol: 'EURUSD',
            timeframe: '1m',
            bar_ts: openBar,
            decision: 'BUY',
            confidence: 0.5,
            meta: { bench_tag: tag },
          },
        ]);
        await page.waitForFunction(`window.__arrivals[${JSON.stringify(tag)}] !== undefined`, undefined, {
          timeout: 10_000,
          polling: 10,
        });
        const arrived = (await page.evaluate(`window.__arrivals[${JSON.stringify(tag)}]`)) as number;
        if (i >= WARMUP) stream.push(arrived - sent);
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
      }
      console.log(
        `[${backend}] stream p50 ${median(stream).toFixed(0)} ms, p95 ${percentile(stream, 95).toFixed(0)} ms`,
      );
      return { backend, seedS, marketplace, vendor, stream };
    } finally {
      await handle.close();
    }
  } finally {
    await stack.close();
  }
}

const loadAtStart = loadavg()[0] ?? 0;
const browser = await launchBrowser();
const results: Result[] = [];
try {
  for (const backend of backends) results.push(await measure(backend, browser));
} finally {
  await browser.close();
}

const NAMES: Record<Backend, string> = {
  postgres: 'PostgreSQL 15 (127.0.0.1)',
  pglite: 'embedded PGlite over pglite-socket',
};
const fmt = (xs: number[], p: number) => percentile(xs, p).toFixed(0);
const rows = results.flatMap((r) => [
  `| ${NAMES[r.backend]} | server render \`/marketplace\` (anonymous) | ${median(r.marketplace).toFixed(0)} | ${fmt(r.marketplace, 95)} | ${r.marketplace.length} |`,
  `| ${NAMES[r.backend]} | server render \`/marketplace/vendor\` (signed in) | ${median(r.vendor).toFixed(0)} | ${fmt(r.vendor, 95)} | ${r.vendor.length} |`,
  `| ${NAMES[r.backend]} | store → browser EventSource | ${median(r.stream).toFixed(0)} | ${fmt(r.stream, 95)} | ${r.stream.length} |`,
]);
const pg = results.find((r) => r.backend === 'postgres');
const verdicts = [
  pg
    ? `render p95 < 200 ms on PostgreSQL: ${Math.max(percentile(pg.marketplace, 95), percentile(pg.vendor, 95)) < 200 ? 'met' : 'NOT met'}`
    : 'render on PostgreSQL: not measured (no server answered)',
  ...results.map(
    (r) =>
      `stream p95 < 1 s on ${r.backend}: ${percentile(r.stream, 95) < 1000 ? 'met' : 'NOT met'} (${fmt(r.stream, 95)} ms)`,
  ),
];
writeSection(
  'web',
  [
    '## web — server render and live stream (`npm run bench -- web`)',
    '',
    `Machine: ${machine()}, load average ${loadAtStart.toFixed(1)} at the start (other work on the machine inflates every figure). ${new Date().toISOString().slice(0, 10)}. ${SIGNALS.toLocaleString('en-US')} signals stored (${MODELS} public models × ${SYMBOLS.length} symbols, two vendors) before measuring; the whole stack on loopback (api in-process, \`next start\` of the production build, Debian Chromium). Render: ${RENDERS} sequential GETs each after ${WARMUP} warm-ups, wall time to the last byte. Stream: ${EVENTS} signals stored one at a time through the api, from the start of the POST to the page's EventSource on the web app's \`/api/stream\`.`,
    '',
    '| database | what | p50 ms | p95 ms | samples |',
    '|---|---|---:|---:|---:|',
    ...rows,
    '',
    `Targets (issue 11): ${verdicts.join('; ')}. Seeding took ${results.map((r) => `${r.seedS.toFixed(0)} s on ${r.backend}`).join(', ')}.`,
  ].join('\n'),
);
console.log('\nwrote the web section of BENCHMARKS.md');
