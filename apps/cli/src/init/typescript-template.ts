// The files `mp init <dir>` writes: a starter model in TypeScript that an ML developer edits. Kept as strings so the
// published mp carries them in its one bundle.

export interface StarterOptions {
  /** npm package name and model id. */
  modelId: string;
  symbol: string;
  timeframe: string;
  /** Dependency specs of @neuronetiq/contracts and @neuronetiq/indicators (`file:vendor/…tgz` or a version range). */
  contractsSpec: string;
  indicatorsSpec: string;
}

export const typescriptStarter = (o: StarterOptions): Record<string, string> => ({
  'package.json': `${JSON.stringify(
    {
      name: o.modelId,
      version: '0.1.0',
      private: true,
      type: 'module',
      description: `Signal model ${o.modelId} for NeuronetIQ Trader (scaffolded by mp init)`,
      scripts: { start: 'tsx src/model.ts', typecheck: 'tsc --noEmit' },
      engines: { node: '>=20.10' },
      dependencies: {
        '@neuronetiq/contracts': o.contractsSpec,
        '@neuronetiq/indicators': o.indicatorsSpec,
      },
      devDependencies: { '@types/node': '^20.19.0', tsx: '^4.23.15', typescript: '^7.0.2' },
    },
    null,
    2,
  )}\n`,
  'tsconfig.json': `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        noEmit: true,
      },
      include: ['src'],
    },
    null,
    2,
  )}\n`,
  'model.config.json': `${JSON.stringify(
    { model_id: o.modelId, symbol: o.symbol, timeframe: o.timeframe, rsi_period: 14, oversold: 30, overbought: 70 },
    null,
    2,
  )}\n`,
  '.gitignore': 'node_modules/\n',
  'README.md': `# ${o.modelId}

A signal model for NeuronetIQ Trader, scaffolded by \`mp init\`. At every ${o.timeframe} bar close it fetches the latest
${o.symbol} bars from the api, computes RSI(14) with \`@neuronetiq/indicators\`, and pushes a BUY (RSI below 30), SELL
(above 70) or NEUTRAL signal for the bar now open.

\`\`\`sh
npm install
npm start -- --once   # one cycle, then exit
npm start             # a cycle at every bar close, until Ctrl-C
\`\`\`

It uses the login of \`mp login\` (~/.config/mp/config.json), or \`MP_API_URL\` and \`MP_API_KEY\`. Register the model
first: \`mp models create ${o.modelId} --name "…"\`. Change the rules in \`src/model.ts\` and the series in
\`model.config.json\`.
`,
  'src/model.ts': `// A starter signal model: at every bar close, read the latest bars, compute RSI, and push a signal for the bar that
// has just opened. Replace decide() with your own model.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  CONTRACTS_VERSION,
  type Decision,
  idempotencyKeyFor,
  type SignalPayload,
  SignalPayloadSchema,
  StoredBarSchema,
  TIMEFRAME_MS,
  type Timeframe,
} from '@neuronetiq/contracts';
import { rsi } from '@neuronetiq/indicators';

interface ModelConfig {
  model_id: string;
  symbol: string;
  timeframe: Timeframe;
  rsi_period: number;
  oversold: number;
  overbought: number;
}
const config = JSON.parse(readFileSync(new URL('../model.config.json', import.meta.url), 'utf8')) as ModelConfig;

/** MP_API_URL and MP_API_KEY win; else the login \`mp login\` stored (XDG config). */
function credentials(): { apiUrl: string; apiKey: string } {
  const file = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'mp', 'config.json');
  let stored: { default_api_url?: string; hosts?: Record<string, { api_key: string }> } = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // no login yet: the environment must say
  }
  const apiUrl = (process.env.MP_API_URL || stored.default_api_url || 'http://127.0.0.1:8787').replace(/\\/+$/, '');
  const apiKey = process.env.MP_API_KEY || stored.hosts?.[apiUrl]?.api_key;
  if (!apiKey) throw new Error(\`not logged in to \${apiUrl}: run \\\`mp login\\\` or set MP_API_KEY\`);
  return { apiUrl, apiKey };
}
const { apiUrl, apiKey } = credentials();

async function api<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(\`\${apiUrl}\${path}\`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: \`Bearer \${apiKey}\`,
      'x-contracts-version': CONTRACTS_VERSION,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(\`\${init.method ?? 'GET'} \${path} answered \${res.status}: \${text.slice(0, 300)}\`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Your model: bars oldest first in, a decision and a confidence in [0, 1] out. */
function decide(closes: number[]): { decision: Decision; confidence: number; meta: Record<string, unknown> } | null {
  const values = rsi(closes, config.rsi_period);
  const last = values[values.length - 1];
  if (last === undefined || !Number.isFinite(last)) return null;
  const decision: Decision = last < config.oversold ? 'BUY' : last > config.overbought ? 'SELL' : 'NEUTRAL';
  const confidence = Math.round(Math.min(1, Math.abs(last - 50) / 50) * 1000) / 1000;
  return { decision, confidence, meta: { rsi: Math.round(last * 100) / 100, period: config.rsi_period } };
}

async function cycle(owner: string): Promise<void> {
  const query = new URLSearchParams({ symbol: config.symbol, tf: config.timeframe, limit: '200' });
  const answer = await api<{ data: unknown[] }>(\`/api/marketdata/ohlcv?\${query}\`);
  const bars = answer.data.map((b) => StoredBarSchema.parse(b)).reverse();
  const call = decide(bars.map((b) => b.close));
  if (!call) {
    console.log(\`\${bars.length} \${config.symbol} \${config.timeframe} bars: not enough for RSI(\${config.rsi_period}) yet\`);
    return;
  }
  const tfMs = TIMEFRAME_MS[config.timeframe];
  const signal: SignalPayload = SignalPayloadSchema.parse({
    owner,
    model_id: config.model_id,
    symbol: config.symbol,
    timeframe: config.timeframe,
    // The bar in progress: the decision is for it, from bars that have closed.
    bar_ts: new Date(Math.floor(Date.now() / tfMs) * tfMs).toISOString(),
    ...call,
  });
  // The platform's key of this signal plus a digest of what it says: a retry replays, a changed call for the bar
  // still open is a new request (one key with two bodies is refused).
  const digest = createHash('sha256').update(JSON.stringify([signal.decision, signal.confidence, signal.meta])).digest('hex');
  await api('/api/signals/store', {
    method: 'POST',
    body: signal,
    headers: { 'idempotency-key': \`\${idempotencyKeyFor(signal)}:\${digest.slice(0, 16)}\` },
  });
  console.log(\`\${signal.bar_ts} \${signal.symbol} \${signal.timeframe} \${signal.decision} \${signal.confidence} (RSI \${call.meta.rsi})\`);
}

const once = process.argv.includes('--once');
const me = await api<{ data: { owner?: string } }>('/api/me');
const owner = me.data.owner;
if (!owner) throw new Error('these credentials have no owner: use a vendor API key from \`mp login\`');
console.log(\`\${owner}/\${config.model_id} on \${config.symbol} \${config.timeframe} against \${apiUrl}\`);
for (;;) {
  await cycle(owner);
  if (once) break;
  // Wake 2 s after the next close, when the platform has stored that bar.
  const tfMs = TIMEFRAME_MS[config.timeframe];
  await new Promise((r) => setTimeout(r, tfMs - (Date.now() % tfMs) + 2_000));
}
`,
});
