import { createWorkerClient } from '@neuronetiq/client';
import type { Timeframe } from '@neuronetiq/contracts';
import type { Db } from '@neuronetiq/db';
import { type BackfillReport, backfillSignals } from './backfill-signals';

/**
 * `npm start`'s demo history: once the cron's feed has stored its backfilled bars (their count stops growing), run the
 * worker's models over them for `owner` and register those models in the marketplace. Returns what it stored.
 */
export async function runDemoBackfill(options: {
  db: Db;
  workerUrl: string;
  owner: string;
  symbols: readonly string[];
  timeframe: Timeframe;
  /** Give up waiting for bars after this long. */
  waitMs?: number;
}): Promise<BackfillReport> {
  const { db } = options;
  const deadline = Date.now() + (options.waitMs ?? 90_000);
  let previous = -1;
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM market.ohlcv WHERE symbol = ANY ($1::text[]) AND timeframe = $2',
      [options.symbols, options.timeframe],
    );
    const n = row?.n ?? 0;
    if ((n > 0 && n === previous) || Date.now() > deadline) break;
    previous = n;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  return backfillSignals(
    { db, worker: createWorkerClient({ baseUrl: options.workerUrl, timeoutMs: 60_000 }) },
    {
      owner: options.owner,
      series: options.symbols.map((symbol) => ({ symbol, timeframe: options.timeframe })),
      maxBars: 5000,
      nowMs: Date.now(),
      registerModels: true,
    },
  );
}
