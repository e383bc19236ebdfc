import { type OhlcvBar, TIMEFRAME_MS } from '@neuronetiq/contracts';
import type { Clock } from '@neuronetiq/service/clock';
import type { SyntheticSeries } from './synthetic-series';

/**
 * Bars as they close, for demos and the orchestrator's live path. The synthetic feed and the CSV replay share
 * it, so a consumer cannot tell which one it reads.
 */
export interface BarFeed extends AsyncIterable<OhlcvBar> {
  /** Ends the feed: a pending wait returns at once and the iteration finishes. */
  close(): void;
}

function feedFrom(run: (signal: AbortSignal) => AsyncGenerator<OhlcvBar>, outer?: AbortSignal): BarFeed {
  const controller = new AbortController();
  // An 'abort' listener added after the fact never fires: a feed made from an already-aborted signal is closed.
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', () => controller.abort(), { once: true });
  return {
    close: () => controller.abort(),
    [Symbol.asyncIterator]: () => run(controller.signal),
  };
}

export interface LiveFeedOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Stop after this many bars (default: never). */
  limit?: number;
}

/**
 * Emits each bar of the series when it closes by `clock` (bar_ts + timeframe). Bars whose close already passed
 * are emitted at once, so a feed started late catches up instead of skipping history.
 */
export function createLiveFeed(series: SyntheticSeries, options: LiveFeedOptions): BarFeed {
  const tfMs = TIMEFRAME_MS[series.timeframe];
  const { clock, limit = Number.POSITIVE_INFINITY } = options;
  return feedFrom(async function* (signal) {
    for (let n = 0; n < limit && !signal.aborted; n++) {
      const closeAt = series.nextBarMs + tfMs;
      const wait = closeAt - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal.aborted) return;
      yield series.next();
    }
  }, options.signal);
}

export interface ReplayOptions {
  clock: Clock;
  /** 60 plays an hour of bars in a minute. Must be > 0. */
  speed: number;
  signal?: AbortSignal;
  /** Caps any single wait (in real ms) so weekends and holes do not stall a demo. Default: no cap. */
  maxWaitMs?: number;
}

/**
 * Replays bars (any order in, ascending out) at `speed` × real time: the first at once, each next one after its
 * distance in market time divided by speed.
 */
export function replayBars(bars: readonly OhlcvBar[], options: ReplayOptions): BarFeed {
  if (!(options.speed > 0)) throw new RangeError(`speed must be greater than 0, got ${options.speed}`);
  const sorted = [...bars].sort((a, b) => Date.parse(a.bar_ts) - Date.parse(b.bar_ts));
  const { clock, speed, maxWaitMs = Number.POSITIVE_INFINITY } = options;
  return feedFrom(async function* (signal) {
    let prevTs = Number.NaN;
    let dueAt = clock.now();
    for (const bar of sorted) {
      const ts = Date.parse(bar.bar_ts);
      if (!Number.isNaN(prevTs)) dueAt += Math.min((ts - prevTs) / speed, maxWaitMs);
      prevTs = ts;
      const wait = dueAt - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal.aborted) return;
      yield bar;
    }
  }, options.signal);
}
