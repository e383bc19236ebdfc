// `npm run bench -- stream [--backends postgres,pglite]`: store-to-stream latency of GET /api/stream. The api runs in
// its own process; `clients` server-sent-event connections are open (as the service principal, following every
// signal); one signal at a time is stored with POST /api/signals/store and the time from sending the store to its
// event arriving on every connection is recorded. Peers in the same run: the store request alone (the floor), and
// the same with 1 and 50 connections (the fan-out's cost). PostgreSQL wakes the stream by NOTIFY; the embedded
// database is polled every STREAM_POLL_MS (200 ms).
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { machine, median, percentile, writeSection } from './report';
import { createBenchDatabase, startApiProcess } from './support/api-process';

const SERVICE_KEY = randomBytes(24).toString('hex');
const args = process.argv.slice(2);
const backendsArg = args[args.indexOf('--backends') + 1];
const backends = args.includes('--backends') && backendsArg ? backendsArg.split(',') : ['postgres', 'pglite'];
const pgServer = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIGNALS = 100;
const headers = { authorization: `Bearer ${SERVICE_KEY}`, 'x-contracts-version': '0.16.4' };

/** An SSE connection that calls `onBar(bar_ts)` for every signal event of `owner`. */
function connect(api: string, owner: string, onBar: (barTs: string) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request(`${api}/api/stream?types=signal`, { headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          if (data) {
            const e = JSON.parse(data) as { data: { owner: string; bar_ts: string } };
            if (e.data.owner === owner) onBar(e.data.bar_ts);
          }
          end = buffer.indexOf('\n\n');
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

async function store(api: string, owner: string, barTs: string): Promise<void> {
  const res = await fetch(`${api}/api/signals/store`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      owner,
      model_id: 'bench-stream',
      symbol: 'EURUSD',
      timeframe: '1m',
      bar_ts: barTs,
      decision: 'BUY',
      confidence: 0.5,
      meta: {},
    }),
  });
  if (res.status !== 204) throw new Error(`store: ${res.status} ${await res.text()}`);
}

interface Row {
  what: string;
  p50: number;
  p95: number;
  p99: number;
}

async function measure(api: string, clients: number): Promise<Row[]> {
  const owner = `stream-${randomBytes(3).toString('hex')}`;
  const waiting = new Map<string, { left: number; done: () => void }>();
  const closers = await Promise.all(
    Array.from({ length: clients }, () =>
      connect(api, owner, (barTs) => {
        const w = waiting.get(barTs);
        if (w && --w.left === 0) w.done();
      }),
    ),
  );
  const storeMs: number[] = [];
  const deliverMs: number[] = [];
  // Bars far in the future are open at any receive time: every store is a new, on-time signal.
  const base = Date.UTC(2030, 0, 1);
  try {
    for (let i = 0; i < SIGNALS; i++) {
      const barTs = new Date(base + i * 60_000).toISOString();
      const delivered = new Promise<void>((done) => waiting.set(barTs, { left: clients, done }));
      const t0 = performance.now();
      await store(api, owner, barTs);
      storeMs.push(performance.now() - t0);
      await Promise.race([
        delivered,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`signal ${barTs} not delivered in 10 s`)), 10_000),
        ),
      ]);
      deliverMs.push(performance.now() - t0);
      waiting.delete(barTs);
      // Writes arrive at random moments, not in step with the poll.
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
  } finally {
    for (const close of closers) close();
  }
  const row = (what: string, xs: number[]): Row => ({
    what,
    p50: median(xs),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
  });
  return [
    row(`POST /api/signals/store alone (${clients} connection${clients > 1 ? 's' : ''} open)`, storeMs),
    row(`stored → event on all ${clients} connection${clients > 1 ? 's' : ''}`, deliverMs),
  ];
}

const tables: string[] = [];
for (const backend of backends) {
  const { databaseUrl, cleanup } = await createBenchDatabase(backend, pgServer);
  const api = await startApiProcess(databaseUrl, SERVICE_KEY);
  try {
    await measure(api.url, 1); // warm-up
    const rows = [...(await measure(api.url, 1)), ...(await measure(api.url, 50))];
    const lines = [
      `### ${backend === 'postgres' ? 'PostgreSQL 15 (127.0.0.1), woken by NOTIFY' : 'embedded PGlite over pglite-socket, polled every 200 ms'}`,
      '',
      `| ${SIGNALS} signals, one at a time | p50 ms | p95 ms | p99 ms |`,
      '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.what} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} |`),
    ];
    console.log(lines.join('\n'));
    tables.push(lines.join('\n'));
  } finally {
    api.child.kill('SIGTERM');
    await new Promise((r) => api.child.once('exit', r));
    await cleanup();
  }
}

writeSection(
  'stream',
  [
    '## stream — store-to-browser latency of GET /api/stream (`npm run bench -- stream`)',
    '',
    `Machine: ${machine()}. ${new Date().toISOString().slice(0, 10)}. api in its own process; the clients are server-sent-event connections of the service principal in the load generator's process. Target (issue 11): p95 < 1 s.`,
    '',
    ...tables.flatMap((t) => [t, '']),
  ].join('\n'),
);
