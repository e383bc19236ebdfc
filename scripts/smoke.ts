// `npm run smoke -- <api-url> [--web <url>] [--orchestrator <url>] [--worker <url>] [--cron <url>]`: the seed's
// "Production Validation Tests" as one command a person runs against a deployment (docs/deploy.md, Day 4). The service
// key comes from SERVICE_ROLE_KEY (never a flag: it would land in the shell history). It stores one signal and one
// consensus for the owner `smoke-check` at the current 5m bar of EURUSD (a fresh bar each run; the owner keeps them
// apart from real vendors), reads them back, and watches them arrive on the live stream. Exit 0 when every check
// passes, 1 otherwise, with a table of what was checked.
import { parseArgs } from 'node:util';

export interface SmokeTargets {
  api: string;
  web?: string | undefined;
  orchestrator?: string | undefined;
  worker?: string | undefined;
  cron?: string | undefined;
}

export interface SmokeResult {
  name: string;
  ok: boolean;
  detail: string;
}

export const SMOKE_OWNER = 'smoke-check';
const MODEL = 'smoke-check-001';
const SYMBOL = 'EURUSD';
const TF = '5m';
const TIMEOUT_MS = 10_000;

type Check = () => Promise<string>;

class CheckFailed extends Error {}
const fail = (message: string): never => {
  throw new CheckFailed(message);
};

async function request(
  url: string,
  init: RequestInit & { expect?: number[] } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  if (init.expect && !init.expect.includes(res.status)) {
    fail(
      `${init.method ?? 'GET'} ${url} answered ${res.status}, expected ${init.expect.join(' or ')}: ${text.slice(0, 300)}`,
    );
  }
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** The frames of an event stream that satisfy `match`, resolving with the first (or rejecting after timeoutMs). */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200 || !res.body) fail(`GET ${url} answered ${res.status}`);
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  const waiters = new Set<() => void>();
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (type && data) {
          events.push({ type, data: (JSON.parse(data) as { data: Record<string, unknown> }).data });
          for (const w of waiters) w();
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
  return {
    async waitFor(what: string, match: (e: { type: string; data: Record<string, unknown> }) => boolean) {
      const deadline = Date.now() + TIMEOUT_MS;
      while (!events.some(match)) {
        if (Date.now() > deadline) fail(`no ${what} on the stream within ${TIMEOUT_MS / 1000} s`);
        await new Promise<void>((resolve) => {
          waiters.add(resolve);
          setTimeout(resolve, 250);
        });
      }
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

/** Runs every check in order (a failed one does not stop the others) and returns their results. */
export async function runSmoke(targets: SmokeTargets, serviceKey: string): Promise<SmokeResult[]> {
  const api = targets.api.replace(/\/$/, '');
  const auth = { authorization: `Bearer ${serviceKey}`, 'x-contracts-version': '0.16.4' };
  const barMs = Math.floor(Date.now() / 300_000) * 300_000;
  const barTs = new Date(barMs).toISOString();
  const signal = {
    owner: SMOKE_OWNER,
    model_id: MODEL,
    symbol: SYMBOL,
    timeframe: TF,
    bar_ts: barTs,
    decision: 'BUY',
    confidence: 0.8,
    meta: { smoke: true },
  };
  const runId = `${process.pid}-${Date.now()}`;
  const checks: Array<[string, Check]> = [];
  const health = (name: string, base: string | undefined, path = '/health') => {
    if (!base) return;
    checks.push([
      `${name} ${path}`,
      async () => {
        const res = await request(`${base.replace(/\/$/, '')}${path}`, { expect: [200] });
        const body = res.json() as { role?: string; status?: string };
        return body.role ? `200, role ${body.role}` : `200 ${body.status ?? ''}`.trim();
      },
    ]);
  };
  health('api', api);
  health('api', api, '/health/ready');
  health('worker', targets.worker);
  health('orchestrator', targets.orchestrator);
  health('cron', targets.cron);

  checks.push([
    'contracts version 0.16.x',
    async () => {
      const ok = await request(`${api}/health`, { headers: { 'x-contracts-version': '0.16.4' }, expect: [200] });
      const served = ok.headers.get('x-contracts-version') ?? fail('no X-Contracts-Version header on the response');
      if (!served.startsWith('0.16.')) fail(`the api serves contracts ${served}`);
      const old = await request(`${api}/api/marketdata/ohlcv?symbol=${SYMBOL}&tf=${TF}&limit=1`, {
        headers: { ...auth, 'x-contracts-version': '0.15.0' },
        expect: [400],
      });
      const error = (old.json() as { error?: string }).error;
      if (error !== 'CONTRACT_VERSION_UNSUPPORTED') fail(`0.15.0 was answered with ${error}`);
      return `serves ${served}; 0.15.0 refused`;
    },
  ]);
  checks.push([
    'GET /api/marketdata/ohlcv',
    async () => {
      const res = await request(`${api}/api/marketdata/ohlcv?symbol=${SYMBOL}&tf=${TF}&limit=10`, {
        headers: auth,
        expect: [200],
      });
      const body = res.json() as { success: boolean; data: unknown[] };
      if (!body.success) fail('success is not true');
      return `${body.data.length} bar(s)`;
    },
  ]);
  checks.push([
    'POST /api/signals/store without a key is 401',
    async () => {
      await request(`${api}/api/signals/store`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-contracts-version': '0.16.4' },
        body: JSON.stringify(signal),
        expect: [401],
      });
      return '401';
    },
  ]);

  // The stream is opened before anything is stored, so the events of this run must arrive on it.
  let stream: Awaited<ReturnType<typeof openStream>> | undefined;
  checks.push([
    'GET /api/stream opens',
    async () => {
      stream = await openStream(`${api}/api/stream?symbol=${SYMBOL}&tf=${TF}&types=signal,consensus`, auth);
      return 'text/event-stream';
    },
  ]);
  checks.push([
    'store a signal with an idempotency key, twice',
    async () => {
      const post = () =>
        request(`${api}/api/signals/store`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `smoke-signal-${runId}` },
          body: JSON.stringify(signal),
          expect: [200, 201, 204],
        });
      const first = await post();
      const again = await post();
      if (again.status !== first.status) fail(`the retry answered ${again.status}, the first ${first.status}`);
      return `${first.status}, replayed ${again.status}`;
    },
  ]);
  checks.push([
    'read the signal back',
    async () => {
      const res = await request(`${api}/api/signals?owner=${SMOKE_OWNER}&symbol=${SYMBOL}&tf=${TF}&limit=5`, {
        headers: auth,
        expect: [200],
      });
      const rows = (res.json() as { data: Array<{ bar_ts: string; model_id: string; decision: string }> }).data;
      const row = rows.find((r) => r.model_id === MODEL && Date.parse(r.bar_ts) === barMs);
      if (!row) fail(`no ${MODEL} signal at ${barTs} among ${rows.length} row(s)`);
      return `${row?.decision} at ${barTs}`;
    },
  ]);
  checks.push([
    'store and read a consensus',
    async () => {
      const consensus = {
        owner: SMOKE_OWNER,
        symbol: SYMBOL,
        timeframe: TF,
        bar_ts: barTs,
        decision: 'BUY',
        confidence: 0.8,
        contributors: [{ model_id: MODEL, decision: 'BUY', confidence: 0.8, weight: 1 }],
        meta: { smoke: true },
      };
      // A consensus may list only its owner's registered models: register the smoke model (409 once it exists).
      await request(`${api}/api/models`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          owner: SMOKE_OWNER,
          model_id: MODEL,
          name: 'Smoke check',
          description: 'Written by npm run smoke to check a deployment.',
          visibility: 'private',
        }),
        expect: [200, 201, 409],
      });
      await request(`${api}/api/consensus/store`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `smoke-consensus-${runId}` },
        body: JSON.stringify(consensus),
        expect: [200, 201, 204],
      });
      const res = await request(`${api}/api/consensus?owner=${SMOKE_OWNER}&symbol=${SYMBOL}&tf=${TF}&limit=5`, {
        headers: auth,
        expect: [200],
      });
      const rows = (res.json() as { data: Array<{ bar_ts: string }> }).data;
      if (!rows.some((r) => Date.parse(r.bar_ts) === barMs)) fail(`no consensus at ${barTs}`);
      return `BUY at ${barTs}`;
    },
  ]);
  checks.push([
    'the stream delivered both',
    async () => {
      const s = stream ?? fail('the stream did not open');
      const ours = (type: string) => (e: { type: string; data: Record<string, unknown> }) =>
        e.type === type && e.data.owner === SMOKE_OWNER && Date.parse(String(e.data.bar_ts)) === barMs;
      await s.waitFor('signal event', ours('signal'));
      await s.waitFor('consensus event', ours('consensus'));
      return 'signal and consensus events';
    },
  ]);
  if (targets.web) {
    const web = targets.web.replace(/\/$/, '');
    checks.push([
      'web /marketplace',
      async () => {
        const res = await request(`${web}/marketplace`, { expect: [200] });
        if (!/<html/i.test(res.text) || !/marketplace/i.test(res.text)) fail('the page is not the marketplace');
        return '200, marketplace page';
      },
    ]);
    checks.push([
      'web /marketplace/vendor needs a sign-in',
      async () => {
        const res = await request(`${web}/marketplace/vendor`, { expect: [302, 303, 307, 308] });
        const location = res.headers.get('location') ?? '';
        if (!location.includes('/marketplace/login')) fail(`redirects to ${location || 'nowhere'}`);
        return `${res.status} → /marketplace/login`;
      },
    ]);
  }

  const results: SmokeResult[] = [];
  try {
    for (const [name, check] of checks) {
      try {
        results.push({ name, ok: true, detail: await check() });
      } catch (err) {
        const message = err instanceof CheckFailed ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
        results.push({ name, ok: false, detail: message });
      }
    }
  } finally {
    await stream?.close();
  }
  return results;
}

export function formatResults(results: SmokeResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.ok ? '✓' : '✗'} ${r.name.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  lines.push('', failed ? `${failed} of ${results.length} checks failed` : `all ${results.length} checks passed`);
  return lines.join('\n');
}

const USAGE = `usage: SERVICE_ROLE_KEY=… npm run smoke -- <api-url> [--web <url>] [--orchestrator <url>] [--worker <url>] [--cron <url>]
  e.g. npm run smoke -- https://infra.neuronetiq.com --web https://trader.neuronetiq.com \\
         --orchestrator https://trader-ml-orchestrator.fly.dev --worker https://trader-ml-worker.fly.dev \\
         --cron https://trader-infra-cron.fly.dev`;

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        web: { type: 'string' },
        orchestrator: { type: 'string' },
        worker: { type: 'string' },
        cron: { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const [api] = parsed.positionals;
  const key = process.env.SERVICE_ROLE_KEY;
  if (!api || parsed.positionals.length > 1) {
    console.error(`name the api's base URL once\n${USAGE}`);
    process.exit(2);
  }
  if (!key) {
    console.error(`SERVICE_ROLE_KEY must be set to the api's service key\n${USAGE}`);
    process.exit(2);
  }
  const v = parsed.values as Record<string, string | undefined>;
  const results = await runSmoke(
    { api, web: v.web, orchestrator: v.orchestrator, worker: v.worker, cron: v.cron },
    key,
  );
  console.log(formatResults(results));
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
