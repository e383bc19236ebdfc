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
import { repos } from '@neuronetiq/db';
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

/** The pages rendered (path, signed in?, label) and the api requests timed alone (anonymous). */
const PAGES = [
  ['/marketplace', false, '`/marketplace` (anonymous; hit rate, all time)'],
  ['/marketplace?sort=median_return&window=all', false, '`/marketplace?sort=median_return` (anonymous)'],
  [
    '/marketplace?sort=sharpe&window=30d&horizon=5',
    false,
    '`/marketplace?sort=sharpe&window=30d&horizon=5` (anonymous)',
  ],
  ['/marketplace/models/{owner}/bench-model-0', false, 'model page `/marketplace/models/…/bench-model-0` (anonymous)'],
  ['/marketplace/vendor', true, '`/marketplace/vendor` (signed in)'],
] as const;
const API_CALLS = [
  ['/api/marketplace/models?limit=24', 'listing, hit rate, all time'],
  ['/api/marketplace/models?limit=24&sort=median_return', 'listing, median return'],
  ['/api/marketplace/models?limit=24&sort=sharpe&window=30d&horizon=5', 'listing, Sharpe, 30d, 5 bars'],
  ['/api/marketplace/models?limit=24&sort=signal_count&symbol=EURUSD', 'listing, signal count, EURUSD'],
  ['/api/marketplace/models/{owner}/bench-model-0', 'model endpoint'],
] as const;

interface Result {
  backend: Backend;
  seedS: number;
  pages: number[][];
  api: number[][];
  stream: number[];
}

/**
 * N signals over 20 public models of two vendors × 5 symbols on 1h bars, a scored history: the bars of each series are
 * stored, each signal was received 5 s into its bar (on time, so scored), and `ml.rescore_all()` scores them on every
 * horizon, as the product's scoring does. With 1,000 hourly bars per series, all but the newest day is older than the
 * 24 h subscriber delay: anonymous viewers see counts and figures, and the newest day only counts for the owner. Written
 * straight to the tables (the api stamps received_at with the time of the request, so it cannot store a history).
 */
async function seed(stack: WebStack, owners: string[]): Promise<void> {
  const models: { owner: string; id: string }[] = [];
  for (let m = 0; m < MODELS; m++) {
    const owner = owners[m % owners.length] as string;
    const id = `bench-model-${m}`;
    await stack.registerModel(owner, id, 'public');
    models.push({ owner, id });
  }
  const db = stack.database.db;
  const bars = Math.ceil(SIGNALS / (MODELS * SYMBOLS.length));
  const HOUR = 3_600_000;
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  // bars + the longest horizon's exits of the newest signals (a random walk per symbol, set-based).
  await db.query(
    `INSERT INTO market.ohlcv (symbol, timeframe, bar_ts, open, high, low, close, volume)
     SELECT s.symbol, '1h', $2::timestamptz + (b.i * interval '1 hour'), p.c, p.c * 1.001, p.c * 0.999, p.c, 1000
     FROM unnest($1::text[]) WITH ORDINALITY AS s(symbol, k)
     CROSS JOIN generate_series(0, $3::int - 1) AS b(i)
     CROSS JOIN LATERAL (SELECT round((100 + 10 * sin(b.i / (7.0 + s.k)) + 3 * cos(b.i * 1.3 + s.k))::numeric, 4) AS c) p`,
    [SYMBOLS, new Date(end - bars * HOUR).toISOString(), bars],
  );
  await db.query(
    `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, received_at,
                                    late, updated_at)
     SELECT m.owner, m.model_id, s.symbol, '1h', t.ts,
            (ARRAY['BUY', 'SELL', 'NEUTRAL'])[1 + (b.i + m.k + s.k) % 3],
            ((b.i * 7 + m.k * 13 + s.k) % 100) / 100.0, '{}', t.ts + interval '5 seconds', false,
            t.ts + interval '5 seconds'
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS m(owner, model_id, k)
     CROSS JOIN unnest($3::text[]) WITH ORDINALITY AS s(symbol, k)
     CROSS JOIN generate_series(0, $5::int - 1) AS b(i)
     CROSS JOIN LATERAL (SELECT $4::timestamptz + (b.i * interval '1 hour') AS ts) t
     ORDER BY b.i, m.k, s.k
     LIMIT $6`,
    [
      models.map((m) => m.owner),
      models.map((m) => m.id),
      SYMBOLS,
      new Date(end - bars * HOUR).toISOString(),
      bars,
      SIGNALS,
    ],
  );
  await db.query('SELECT ml.rescore_all()');
  // What the cron's passes keep (apps/cron): the signal summary and the stored row figures.
  await db.query('SELECT ml.refresh_signal_summary()');
  await db.query('ANALYZE');
  await repos.marketplace.refreshRowFigures(db);
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

      const pages: number[][] = PAGES.map(() => []);
      const apiTimes: number[][] = API_CALLS.map(() => []);
      const at = (path: string) => path.replace('{owner}', owners[0] as string);
      for (let i = 0; i < WARMUP + RENDERS; i++) {
        for (const [k, [path, signedIn]] of PAGES.entries()) {
          const ms = await timeGet(`${stack.webUrl}${at(path)}`, signedIn ? cookie : undefined);
          if (i >= WARMUP) pages[k]?.push(ms);
        }
        for (const [k, [path]] of API_CALLS.entries()) {
          const ms = await timeGet(`${stack.apiUrl}${at(path)}`);
          if (i >= WARMUP) apiTimes[k]?.push(ms);
        }
      }
      for (const [k, [, , label]] of PAGES.entries()) {
        console.log(`[${backend}] render ${label}: p50 ${median(pages[k] ?? []).toFixed(0)} ms`);
      }
      for (const [k, [, label]] of API_CALLS.entries()) {
        console.log(`[${backend}] api ${label}: p50 ${median(apiTimes[k] ?? []).toFixed(0)} ms`);
      }

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
      return { backend, seedS, pages, api: apiTimes, stream };
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
  ...PAGES.map(
    ([, , label], k) =>
      `| ${NAMES[r.backend]} | server render ${label} | ${median(r.pages[k] ?? []).toFixed(0)} | ${fmt(r.pages[k] ?? [], 95)} | ${(r.pages[k] ?? []).length} |`,
  ),
  ...API_CALLS.map(
    ([path, label], k) =>
      `| ${NAMES[r.backend]} | api alone: ${label} (\`${path.replace('{owner}', '…')}\`) | ${median(r.api[k] ?? []).toFixed(0)} | ${fmt(r.api[k] ?? [], 95)} | ${(r.api[k] ?? []).length} |`,
  ),
  `| ${NAMES[r.backend]} | store → browser EventSource | ${median(r.stream).toFixed(0)} | ${fmt(r.stream, 95)} | ${r.stream.length} |`,
]);
const pg = results.find((r) => r.backend === 'postgres');
const worstPage = pg ? Math.max(...pg.pages.map((xs) => percentile(xs, 95))) : 0;
const verdicts = [
  pg
    ? `render p95 < 200 ms on PostgreSQL (every page above): ${worstPage < 200 ? 'met' : 'NOT met'} (worst ${worstPage.toFixed(0)} ms)`
    : 'render on PostgreSQL: not measured (no server answered)',
  ...results.map(
    (r) =>
      `stream p95 < 1 s on ${r.backend}: ${percentile(r.stream, 95) < 1000 ? 'met' : 'NOT met'} (${fmt(r.stream, 95)} ms)`,
  ),
];
const loadAtEnd = loadavg();
writeSection(
  'web',
  [
    '## web — server render and live stream (`npm run bench -- web`)',
    '',
    `Machine: ${machine()}, load average ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the end (other work on the machine inflates every figure). ${new Date().toISOString().slice(0, 10)}. ${SIGNALS.toLocaleString('en-US')} signals stored (${MODELS} public models × ${SYMBOLS.length} symbols on 1h bars, two vendors), received 5 s into their bar over the last ${Math.ceil(SIGNALS / (MODELS * SYMBOLS.length))} hours (all but the newest 24 older than the 24 h subscriber delay) and scored on every horizon (\`ml.rescore_all()\`) before measuring; the whole stack on loopback (api in-process, \`next start\` of the production build, Debian Chromium). Render: ${RENDERS} sequential GETs of each page after ${WARMUP} warm-ups, wall time to the last byte; api alone: the same requests' data from the api directly, anonymous, interleaved with the renders. Stream: ${EVENTS} signals stored one at a time through the api, from the start of the POST to the page's EventSource on the web app's \`/api/stream\`.`,
    '',
    '| database | what | p50 ms | p95 ms | samples |',
    '|---|---|---:|---:|---:|',
    ...rows,
    '',
    `Targets (issue 11): ${verdicts.join('; ')}. Seeding took ${results.map((r) => `${r.seedS.toFixed(0)} s on ${r.backend}`).join(', ')}.`,
  ].join('\n'),
);
console.log('\nwrote the web section of BENCHMARKS.md');
