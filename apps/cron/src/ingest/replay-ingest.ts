// Accelerated replay of a CSV (e.g. `--speed 60`: an hour of bars a minute), posted to the api as it plays. The
// file goes through the importer first, so its bad rows are reported exactly as `npm run import` reports them.
import type { Timeframe } from '@neuronetiq/contracts';
import { type Clock as FeedClock, formatImportReport, type ImportFormat, replayCsv } from '@neuronetiq/marketdata';
import { createBarPoster } from './bar-poster';
import type { IngestDeps } from './synthetic-ingest';

export interface ReplayIngestOptions {
  file: string;
  symbol: string;
  timeframe: Timeframe;
  format?: ImportFormat;
  tz?: string;
  speed: number;
  /** Caps one wait (real ms) so weekends do not stall a demo. */
  maxWaitMs?: number;
}

export function createReplayIngest(options: ReplayIngestOptions, deps: IngestDeps) {
  const feedClock: FeedClock = {
    now: () => deps.clock.now(),
    sleep: (ms, signal) => deps.clock.sleep(ms, signal),
  };
  let controller: AbortController | undefined;
  let running: Promise<void> | undefined;

  async function run(signal: AbortSignal): Promise<void> {
    const poster = createBarPoster(deps.api, 'replay', deps);
    const { feed, report } = await replayCsv(
      options.file,
      { symbol: options.symbol, timeframe: options.timeframe, format: options.format, tz: options.tz },
      { clock: feedClock, speed: options.speed, signal, maxWaitMs: options.maxWaitMs ?? 5_000 },
    );
    deps.logger.info({ file: options.file, report: formatImportReport(report) }, 'replaying CSV');
    for await (const bar of feed) await poster.push([bar]);
    await poster.flush();
  }

  return {
    start(): void {
      controller = new AbortController();
      running = run(controller.signal).catch((err: Error) => {
        deps.logger.error({ file: options.file, err: err.message }, 'CSV replay failed');
      });
    },
    async stop(): Promise<void> {
      controller?.abort();
      await running;
    },
  };
}
