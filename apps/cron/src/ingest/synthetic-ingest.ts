// Demo market data: a seeded synthetic feed per symbol, posted to the api as each bar closes. On start it continues
// from the newest bar the api already has (so a restart never rewrites stored history, and what the orchestrator
// decided on stays true), or, on an empty database, backfills `backfillBars` closed bars first.

import { type ApiClient, type Logger, withRetry } from '@neuronetiq/client';
import { barStart, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { type Clock, createLiveFeed, createSyntheticSeries, type Clock as FeedClock } from '@neuronetiq/marketdata';
import type { CronMetrics } from '../metrics';
import { createBarPoster } from './bar-poster';

export interface SyntheticIngestOptions {
  symbols: string[];
  timeframe: Timeframe;
  /** Closed bars generated when the api has none (or only older than this window). */
  backfillBars: number;
  /** Base seed; each symbol and start time derive their own from it. */
  seed: number;
}

export interface IngestDeps {
  api: Pick<ApiClient, 'getBars' | 'upsertBars'>;
  clock: Clock;
  logger: Logger;
  metrics: CronMetrics;
}

/** A stable 31-bit seed from text (FNV-1a). */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}

const START_PRICES: Record<string, number> = { EURUSD: 1.085, GBPUSD: 1.27, USDJPY: 150.2, BTCUSDT: 43_000 };

export function createSyntheticIngest(options: SyntheticIngestOptions, deps: IngestDeps) {
  const tf = TIMEFRAME_MS[options.timeframe];
  // The feed's clock resolves early on abort instead of throwing.
  const feedClock: FeedClock = {
    now: () => deps.clock.now(),
    sleep: (ms, signal) => deps.clock.sleep(ms, signal),
  };

  async function runSymbol(symbol: string, signal: AbortSignal): Promise<void> {
    const poster = createBarPoster(deps.api, 'synthetic', deps);
    // The api may come up after the cron: wait for it rather than inventing a history it would contradict.
    let newest: { bar_ts: string; close: number } | undefined;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const bars = await withRetry(() => deps.api.getBars({ symbol, timeframe: options.timeframe, limit: 1 }), {
          attempts: 3,
          baseMs: 200,
          maxMs: 2_000,
        });
        newest = bars.at(-1);
        break;
      } catch (err) {
        deps.logger.warn({ symbol, attempt, err: (err as Error).message }, 'api not reachable for the feed yet');
        await deps.clock.sleep(Math.min(30_000, 1_000 * attempt), signal);
      }
    }
    if (signal.aborted) return;
    const now = deps.clock.now();
    const backfillStart = barStart(now, options.timeframe) - options.backfillBars * tf;
    const resume = newest && Date.parse(newest.bar_ts) + tf > backfillStart;
    const startMs = resume ? Date.parse(newest?.bar_ts ?? '') + tf : backfillStart;
    const series = createSyntheticSeries({
      symbol,
      timeframe: options.timeframe,
      seed: seedOf(`${options.seed}:${symbol}:${startMs}`),
      startMs,
      startPrice: resume ? newest?.close : (START_PRICES[symbol] ?? 100),
    });
    // Every bar that has closed already, in one go; then each new bar as it closes.
    const closed = Math.max(0, Math.floor((now - startMs) / tf));
    if (closed > 0) await poster.push(series.take(closed));
    if (signal.aborted) return;
    deps.logger.info(
      { symbol, timeframe: options.timeframe, resumed: Boolean(resume), backfilled: closed },
      'synthetic feed',
    );
    for await (const bar of createLiveFeed(series, { clock: feedClock, signal })) {
      await poster.push([bar]);
    }
  }

  let controller: AbortController | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start(): void {
      controller = new AbortController();
      const signal = controller.signal;
      running = Promise.allSettled(options.symbols.map((s) => runSymbol(s, signal)));
    },
    async stop(): Promise<void> {
      controller?.abort();
      await running;
    },
  };
}
