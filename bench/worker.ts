// `npm run bench -- worker [--runs 7] [--series 1000] [--bars 500]`
// End to end over HTTP: POST /v1/predict/batch with 1,000 series × 500 real EURUSD h1 bars × every model, to a
// worker started as its own process (as in production), timed from the first byte sent to the last byte of the
// response received. Target: under 1 s. Also breaks the server's work down in-process (JSON.parse, the zod
// schema, the byte decoder the worker uses instead, the models) to show where the time goes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PredictBatchRequestSchema, type WorkerBarInput } from '@neuronetiq/contracts';
import { BarSeries, createModelRegistry } from '@neuronetiq/models';
import { decodeSeriesJson, fastParseBatch } from '@neuronetiq/worker';
import { machine, median, writeSection } from './report';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    series: { type: 'string', default: '1000' },
    bars: { type: 'string', default: '500' },
  },
});
const RUNS = Number(values.runs);
const SERIES = Number(values.series);
const BARS = Number(values.bars);
const TARGET_MS = 1000;

const root = fileURLToPath(new URL('..', import.meta.url));
const dataFile = fileURLToPath(new URL('../../shared/data/backtestingpy-eurusd-h1/EURUSD.csv', import.meta.url));

/** Real EURUSD h1 bars (UTC); without ../shared/data, a seeded random walk of the same shape. */
function loadBars(): { bars: WorkerBarInput[]; source: string } {
  if (existsSync(dataFile)) {
    const lines = readFileSync(dataFile, 'utf8').trim().split('\n').slice(1);
    const bars = lines.map((line) => {
      const [ts, open, high, low, close, volume] = line.split(',');
      return {
        bar_ts: new Date(`${(ts as string).replace(' ', 'T')}Z`).toISOString(),
        open: Number(open),
        high: Number(high),
        low: Number(low),
        close: Number(close),
        volume: Number(volume),
      };
    });
    return { bars, source: 'backtesting.py EURUSD h1 (real, ../shared/data)' };
  }
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let price = 1.1;
  const bars = Array.from({ length: 5000 }, (_, i) => {
    const open = price;
    const close = open * (1 + (random() - 0.5) * 0.004);
    price = close;
    const high = Math.max(open, close) * (1 + random() * 0.001);
    const low = Math.min(open, close) * (1 - random() * 0.001);
    return {
      bar_ts: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
      open,
      high,
      low,
      close,
      volume: 1000,
    };
  });
  return { bars, source: 'seeded random walk (../shared/data absent)' };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function post(port: number, path: string, body: Buffer): Promise<{ status: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t0 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startWorker(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try {
      const ok = await new Promise<boolean>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/health' }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.end();
      });
      if (ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('the worker did not answer /health within 20 s');
}

const { bars, source } = loadBars();
const span = bars.length - BARS;
const body = {
  series: Array.from({ length: SERIES }, (_, i) => {
    const start = (i * 37) % span;
    return { symbol: 'EURUSD', timeframe: '1h', bars: bars.slice(start, start + BARS) };
  }),
};
const text = JSON.stringify(body);
const payload = Buffer.from(text);
const registry = createModelRegistry();
const modelCount = registry.list().length;
console.log(
  `${SERIES} series × ${BARS} bars × ${modelCount} models; body ${(payload.length / 2 ** 20).toFixed(1)} MiB; ${source}`,
);

const loadBefore = os.loadavg()[0] ?? 0;
const port = await freePort();
const worker = await startWorker(port);
const timings: number[] = [];
let responseBytes = 0;
try {
  for (let i = 0; i < 2; i++) await post(port, '/v1/predict/batch', payload); // warm-up: JIT and allocator
  for (let i = 0; i < RUNS; i++) {
    const r = await post(port, '/v1/predict/batch', payload);
    if (r.status !== 200) throw new Error(`POST /v1/predict/batch answered ${r.status}`);
    timings.push(r.ms);
    responseBytes = r.bytes;
    console.log(`run ${i + 1}: ${r.ms.toFixed(0)} ms`);
  }
} finally {
  worker.kill('SIGTERM');
}

// In-process breakdown of the same work, to see what dominates (same machine, not over HTTP).
function timeIt(fn: () => void): number {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}
const loadAfter = os.loadavg()[0] ?? 0;
const decodeMs = timeIt(() => decodeSeriesJson(payload, 'batch', SERIES * BARS));
if (!decodeSeriesJson(payload, 'batch', SERIES * BARS)) throw new Error('the benchmark body is not on the fast path');
const parseMs = timeIt(() => JSON.parse(payload.toString('utf8')));
const parsed = JSON.parse(text);
const fastCheckMs = timeIt(() => fastParseBatch(parsed));
const zodMs = timeIt(() => PredictBatchRequestSchema.parse(parsed));
const seriesList = body.series.map((s) => BarSeries.fromBars(s.bars.map((b) => ({ ...b, volume: b.volume ?? null }))));
const modelsMs = timeIt(() => {
  for (const s of seriesList) {
    const shared = new BarSeries(s); // fresh cache each run, as per request
    for (const model of registry.list()) model.predict(shared);
  }
});
const separateMs = timeIt(() => {
  for (const s of seriesList) for (const model of registry.list()) model.predict(new BarSeries(s));
});

const med = median(timings);
const table = [
  `Machine: ${machine()}. Command: \`npm run bench -- worker\`.`,
  '',
  `\`POST /v1/predict/batch\` with ${SERIES} series × ${BARS} bars × all ${modelCount} models (${(SERIES * BARS).toLocaleString('en')} bars, ${(payload.length / 2 ** 20).toFixed(1)} MiB of JSON in, ${(responseBytes / 2 ** 10).toFixed(0)} KiB out), ${source}, to a worker in its own process over loopback HTTP, first byte sent to last byte received. ${RUNS} runs after 2 warm-ups.`,
  '',
  '| measure | ms |',
  '|---|---:|',
  `| **end to end, median** | **${med.toFixed(0)}** |`,
  `| end to end, min / max | ${Math.min(...timings).toFixed(0)} / ${Math.max(...timings).toFixed(0)} |`,
  `| in-process: bytes → validated columns by the worker's decoder (what a valid body costs) | ${decodeMs.toFixed(0)} |`,
  `| in-process, fallback tier 2: \`JSON.parse\` of the body | ${parseMs.toFixed(0)} |`,
  `| in-process, fallback tier 2: object check of the parsed body (fast-series.ts) | ${fastCheckMs.toFixed(0)} |`,
  `| in-process, fallback tier 3: the contracts' zod schema over the parsed body | ${zodMs.toFixed(0)} |`,
  `| in-process: all models on all series, indicators shared per series | ${modelsMs.toFixed(0)} |`,
  `| in-process: all models on all series, each model computing its own indicators | ${separateMs.toFixed(0)} |`,
  '',
  `Target: under ${TARGET_MS} ms — ${med < TARGET_MS ? 'met' : 'NOT met'}. One-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after the HTTP runs (2 cores shared with other work: above 2, every figure here is inflated).`,
].join('\n');
console.log(`\n${table}`);
writeSection('worker', `## Worker: batch prediction\n\n${table}`);
