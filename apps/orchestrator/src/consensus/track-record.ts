// Consensus weights from each model's track record (GET /api/performance: its hit rate on this series over its newest
// live signals scored at the 1-bar horizon: entered at the close of the first bar after the signal's last change and
// exited a bar later, as the consensus itself is a call on the next bar). The rule, on the consensus rule's scale
// where 1 means "no evidence either way":
//
//     weight = 2 × (hits + 1) / (resolved + 2)          when resolved >= minResolved
//     weight = the static MODEL_WEIGHTS entry, else 1   otherwise (too little history: equal weights)
//
// (hits + 1) / (resolved + 2) is the hit rate shrunk towards a coin flip (Laplace's rule of succession), so a model
// that is right 60% of the time over 200 calls weighs about 1.2, a coin flip 1, one that is usually wrong less than 1,
// and a short lucky streak cannot dominate. Records are read in one request for every series of the owner and kept for
// refreshMs; if the api cannot answer, the last good records stay in use (or equal weights, if there were none).
import type { ApiClient, Logger } from '@neuronetiq/client';
import type { TrackRecord } from '@neuronetiq/contracts';
import type { SeriesConfig } from '../config';

/** The horizon whose scores weigh a model: one bar, the consensus's own. */
export const TRACK_RECORD_HORIZON_BARS = 1;

export interface TrackRecordOptions {
  owner: string;
  /** Newest scored signals per series that a record covers. */
  window: number;
  /** Fewer resolved calls than this: no track-record weight. */
  minResolved: number;
  /** How long a read of the records is used before the next. */
  refreshMs: number;
}

/** Weights per model id, for one series. */
export type Weights = Readonly<Record<string, number>>;
export type WeightsForSeries = (series: SeriesConfig) => Weights | undefined;

export function weightFromRecord(r: Pick<TrackRecord, 'hits' | 'resolved'>, minResolved: number): number | undefined {
  if (r.resolved < minResolved) return undefined;
  return (2 * (r.hits + 1)) / (r.resolved + 2);
}

const seriesKey = (symbol: string, timeframe: string) => `${symbol}\u0000${timeframe}`;

/** A weight book from track records, merged over static weights (a record wins where it has enough history). */
export function weightBook(
  records: readonly TrackRecord[],
  minResolved: number,
  staticWeights: Weights | undefined,
): WeightsForSeries {
  const book = new Map<string, Record<string, number>>();
  for (const r of records) {
    const w = weightFromRecord(r, minResolved);
    if (w === undefined) continue;
    const k = seriesKey(r.symbol, r.timeframe);
    const entry = book.get(k) ?? { ...staticWeights };
    entry[r.model_id] = w;
    book.set(k, entry);
  }
  return (s) => book.get(seriesKey(s.symbol, s.timeframe)) ?? staticWeights;
}

/** Reads the owner's track records through the api at most once per refreshMs; see the file comment. */
export function createTrackRecordWeights(
  api: Pick<ApiClient, 'getPerformance'>,
  options: TrackRecordOptions & { staticWeights?: Weights },
  deps: { now: () => number; logger: Logger },
) {
  let current: WeightsForSeries = () => options.staticWeights;
  let readAt = Number.NEGATIVE_INFINITY;
  return {
    /** The book for this cycle, refreshed first when it is older than refreshMs. */
    async get(): Promise<WeightsForSeries> {
      const now = deps.now();
      if (now - readAt < options.refreshMs) return current;
      try {
        const records = await api.getPerformance({
          owner: options.owner,
          window: options.window,
          horizon: TRACK_RECORD_HORIZON_BARS,
        });
        current = weightBook(records, options.minResolved, options.staticWeights);
        readAt = now;
      } catch (err) {
        // Try again at the next cycle; meanwhile the last good book (or the static weights).
        deps.logger.warn({ err: (err as Error).message }, 'track records unavailable; weights unchanged');
      }
      return current;
    },
  };
}
