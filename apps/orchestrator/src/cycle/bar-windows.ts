// The window of bars of each series, kept between closes so that a close reads only the bars that are new since the
// last one (plus a few it already has, to check them) instead of the whole window: at 1,000 series × 200 bars that is
// the difference between moving 200,000 bars through the database, the api and two JSON codecs, and moving ~3,000.
//
// A cached window is only ever extended with what the database says now: the re-read bars that overlap the cache must
// equal it bar for bar, or the series is read whole again (a corrected or late-inserted recent bar). A correction
// further back than the overlap is picked up by the full re-read every `refreshCloses` closes (freqtrade keeps its
// candles the same way: refresh the newest, keep the rest).
import { TIMEFRAME_MS, type WorkerBarInput } from '@neuronetiq/contracts';
import type { SeriesConfig } from '../config';

export interface BarWindowOptions {
  /** Bars per window (what the worker gets). */
  windowBars: number;
  /** Closes a cached window serves before the series is read whole again; 0 turns the cache off. */
  refreshCloses: number;
  /** Cached bars re-read at each close and compared with the cache. */
  overlapBars?: number;
}

interface Entry {
  bars: WorkerBarInput[];
  newestMs: number;
  uses: number;
}

const key = (s: SeriesConfig) => `${s.symbol}\u0000${s.timeframe}`;

const sameBar = (a: WorkerBarInput, b: WorkerBarInput) =>
  a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;

export function createBarWindows(options: BarWindowOptions) {
  const overlap = Math.max(1, options.overlapBars ?? 2);
  const entries = new Map<string, Entry>();

  return {
    /**
     * How many of the newest bars (at or before the bar that closed at `closeMs`) to read: the whole window when the
     * series is not cached (or due for a refresh), else the bars since the cached newest one plus the overlap, rounded
     * up to a power of two so that the series of one chunk share a few query sizes.
     */
    need(s: SeriesConfig, closeMs: number): number {
      const e = entries.get(key(s));
      const lastBarMs = closeMs - TIMEFRAME_MS[s.timeframe];
      if (!e || options.refreshCloses <= 0 || e.uses >= options.refreshCloses || lastBarMs < e.newestMs) {
        return options.windowBars;
      }
      const wanted = Math.floor((lastBarMs - e.newestMs) / TIMEFRAME_MS[s.timeframe]) + overlap;
      return Math.min(options.windowBars, 2 ** Math.ceil(Math.log2(wanted)));
    },

    /**
     * The window after reading the newest `limit` bars (oldest first); undefined when a partial read does not agree
     * with the cache, and the series must be read whole.
     */
    merge(s: SeriesConfig, limit: number, read: WorkerBarInput[]): WorkerBarInput[] | undefined {
      const k = key(s);
      const remember = (bars: WorkerBarInput[], uses: number) => {
        const newest = bars.at(-1);
        if (newest && options.refreshCloses > 0) entries.set(k, { bars, newestMs: Date.parse(newest.bar_ts), uses });
        else entries.delete(k);
        return bars;
      };
      if (limit >= options.windowBars) return remember(read, 0);
      const e = entries.get(k);
      const oldest = read[0];
      if (!e || !oldest) return undefined;
      const oldestMs = Date.parse(oldest.bar_ts);
      // The read must reach back into the cache, and every bar it shares with the cache must be the cached bar.
      if (oldestMs > e.newestMs) return undefined;
      let i = e.bars.length - 1;
      for (let j = read.length - 1; j >= 0; j--) {
        const r = read[j] as WorkerBarInput;
        const ms = Date.parse(r.bar_ts);
        if (ms > e.newestMs) continue;
        while (i >= 0 && Date.parse((e.bars[i] as WorkerBarInput).bar_ts) > ms) i--;
        const c = e.bars[i];
        if (!c || Date.parse(c.bar_ts) !== ms || !sameBar(c, r)) return undefined;
      }
      const kept = e.bars.slice(0, i);
      const bars = kept.concat(read);
      return remember(bars.length > options.windowBars ? bars.slice(-options.windowBars) : bars, e.uses + 1);
    },

    forget(s: SeriesConfig): void {
      entries.delete(key(s));
    },
    clear(): void {
      entries.clear();
    },
    get size(): number {
      return entries.size;
    },
  };
}
export type BarWindows = ReturnType<typeof createBarWindows>;
