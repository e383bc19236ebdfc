// The client of the Infrastructure API (apps/api): one method per endpoint the services and the mp CLI call, each one
// HTTP request that resolves with a typed result or throws (HttpError for an answer, fetch's error for none; see
// ./errors for which are transient). Requests carry X-Contracts-Version and the bearer token.
import {
  type BatchItemResult,
  type BatchWriteResponse,
  type ConsensusPayload,
  type ImportCsvResponse,
  type ImportFormat,
  type ImportReport,
  idempotencyKeyFor,
  OHLCV_SERIES_MAX,
  type OhlcvBarInput,
  type OhlcvSeriesResponse,
  type OhlcvUpsertResponse,
  SIGNAL_BATCH_MAX,
  type SignalPayload,
  type StoredBar,
  type Timeframe,
  type TrackRecord,
  type WorkerBarInput,
} from '@neuronetiq/contracts';
import { HttpError, refusedItems } from './errors';
import { type FetchLike, requestJson } from './http';

export interface ApiClientOptions {
  /** Base URL of the Infrastructure API, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** Bearer token: the service role key (orchestrator, cron) or a vendor API key `mp_…` (the CLI). */
  token: string;
  /** Per request; default 10,000. */
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** A bar as the api stores it; prices are numbers on the wire. */
export type Bar = WorkerBarInput;

export interface BarsQuery {
  symbol: string;
  timeframe: Timeframe;
  /** 1..5000. */
  limit: number;
  /** Newest bar_ts wanted (inclusive), ISO-8601 UTC. */
  to?: string;
}

export interface BarsManyQuery {
  /** At most OHLCV_SERIES_MAX. */
  series: readonly { symbol: string; timeframe: Timeframe }[];
  /** Newest bars per series, 1..5000. */
  limit: number;
  /** Newest bar_ts wanted (inclusive) for every series, ISO-8601 UTC. */
  to?: string;
}

export interface SeriesBars {
  symbol: string;
  timeframe: Timeframe;
  /** Oldest first. */
  bars: Bar[];
}

/**
 * Answer of a batch write (`BatchWriteResponse` of the contracts without `success`): one result per item, in
 * request order, and the counts (counted here from the results).
 */
export type BatchWriteResult = Omit<BatchWriteResponse, 'success'>;

/** Answer of `POST /api/marketdata/ohlcv` (`OhlcvUpsertResponse` without `success`): bad rows by index. */
export type UpsertBarsResult = Omit<OhlcvUpsertResponse, 'success'>;

/** What `POST /api/marketdata/import` is asked to import; the body is the file itself. */
export interface CsvImportQuery {
  symbol: string;
  timeframe: Timeframe;
  /** Omitted: the api recognises the format from the first lines. */
  format?: ImportFormat;
  /** IANA zone of timestamps without an offset; the api assumes UTC when omitted (and its report says so). */
  tz?: string;
  /** The whole upload and import; default 10 minutes (a big file takes a while). */
  timeoutMs?: number;
}

/** Per-call options of the single-item stores. */
export interface StoreOptions {
  /** Defaults to the seed's key of the payload (`idempotencyKeyFor`). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

const isList = (x: unknown): x is unknown[] => Array.isArray(x);

export function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${options.token}` };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const f = options.fetch;
  const post = <T>(path: string, body: unknown, signal?: AbortSignal, headers: Record<string, string> = {}) =>
    requestJson<T>(
      { method: 'POST', url: `${base}${path}`, body, headers: { ...auth, ...headers }, timeoutMs, signal },
      f,
    );

  // The api answers newest first; callers (the worker, indicators) want oldest first.
  const oldestFirst = (data: readonly StoredBar[]): Bar[] => {
    const bars: Bar[] = new Array(data.length);
    for (let i = 0, j = data.length - 1; j >= 0; i++, j--) {
      const b = data[j] as StoredBar;
      bars[i] = { bar_ts: b.bar_ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
    }
    return bars;
  };

  const batch = async (path: string, field: string, items: readonly unknown[], signal?: AbortSignal) => {
    if (items.length > SIGNAL_BATCH_MAX) throw new RangeError(`at most ${SIGNAL_BATCH_MAX} items per batch`);
    const body = await post<Partial<BatchWriteResponse>>(path, { [field]: items }, signal);
    if (!body || !isList(body.results) || body.results.length !== items.length) {
      throw new Error(`POST ${path} answered without one result per item (${items.length} sent)`);
    }
    const results = body.results;
    const count = (s: BatchItemResult['status']) => results.filter((r) => r.status === s).length;
    return { stored: count('stored'), unchanged: count('unchanged'), rejected: count('rejected'), results };
  };

  const storeOne = async (path: string, payload: SignalPayload | ConsensusPayload, o: StoreOptions = {}) => {
    await post(path, payload, o.signal, { 'idempotency-key': o.idempotencyKey ?? idempotencyKeyFor(payload) });
  };

  return {
    /** `GET /api/marketdata/ohlcv`: the newest `limit` bars of one series at or before `to`, oldest first. */
    async getBars(q: BarsQuery, signal?: AbortSignal): Promise<Bar[]> {
      const params = new URLSearchParams({ symbol: q.symbol, tf: q.timeframe, limit: String(q.limit) });
      if (q.to) params.set('to', q.to);
      const body = await requestJson<{ data?: StoredBar[] }>(
        { method: 'GET', url: `${base}/api/marketdata/ohlcv?${params}`, headers: auth, timeoutMs, signal },
        f,
      );
      if (!body || !isList(body.data)) throw new Error('GET /api/marketdata/ohlcv answered without a data list');
      return oldestFirst(body.data);
    },

    /** `GET /api/performance`: track records (own and public models; all for the service key). */
    async getPerformance(
      q: {
        owner?: string;
        model_id?: string;
        symbol?: string;
        timeframe?: Timeframe;
        window?: number;
        /** Bars from entry to exit of the scores read (the api's default: 1). */
        horizon?: number;
      },
      signal?: AbortSignal,
    ): Promise<TrackRecord[]> {
      const params = new URLSearchParams();
      if (q.owner) params.set('owner', q.owner);
      if (q.model_id) params.set('model_id', q.model_id);
      if (q.symbol) params.set('symbol', q.symbol);
      if (q.timeframe) params.set('tf', q.timeframe);
      if (q.window !== undefined) params.set('window', String(q.window));
      if (q.horizon !== undefined) params.set('horizon', String(q.horizon));
      const body = await requestJson<{ data?: TrackRecord[] }>(
        { method: 'GET', url: `${base}/api/performance?${params}`, headers: auth, timeoutMs, signal },
        f,
      );
      if (!body || !isList(body.data)) throw new Error('GET /api/performance answered without a data list');
      return body.data;
    },

    /**
     * `POST /api/marketdata/ohlcv/query`: the newest `limit` bars of up to OHLCV_SERIES_MAX series in one request (one
     * SQL statement at the api), in the order asked, each oldest first.
     */
    async queryBars(q: BarsManyQuery, signal?: AbortSignal): Promise<SeriesBars[]> {
      if (q.series.length > OHLCV_SERIES_MAX) throw new RangeError(`at most ${OHLCV_SERIES_MAX} series per query`);
      const body = await post<Partial<OhlcvSeriesResponse>>(
        '/api/marketdata/ohlcv/query',
        {
          series: q.series.map((s) => ({ symbol: s.symbol, tf: s.timeframe })),
          limit: q.limit,
          ...(q.to ? { to: q.to } : {}),
        },
        signal,
      );
      const data = body?.data;
      if (!isList(data) || data.length !== q.series.length) {
        throw new Error(
          `POST /api/marketdata/ohlcv/query answered without one entry per series (${q.series.length} asked)`,
        );
      }
      return q.series.map((s, i) => {
        const d = data[i];
        if (!d || d.symbol !== s.symbol || d.tf !== s.timeframe || !isList(d.bars)) {
          throw new Error(
            `POST /api/marketdata/ohlcv/query answered entry ${i} for another series than ${s.symbol} ${s.timeframe}`,
          );
        }
        return { symbol: s.symbol, timeframe: s.timeframe, bars: oldestFirst(d.bars) };
      });
    },

    /**
     * `POST /api/marketdata/ohlcv` (service role): bulk upsert. The api stores all or none; when it refuses bars by
     * index (400 naming `bars.<i>…`), those are set aside and the others posted once more, so the good bars are
     * stored and the bad ones come back in `rejected`, by their index in `bars`.
     */
    async upsertBars(bars: readonly OhlcvBarInput[], signal?: AbortSignal): Promise<UpsertBarsResult> {
      const send = async (list: readonly OhlcvBarInput[]) => {
        const body = await post<Partial<OhlcvUpsertResponse>>('/api/marketdata/ohlcv', { bars: list }, signal);
        if (!body || typeof body.written !== 'number' || !isList(body.rejected)) {
          throw new Error('POST /api/marketdata/ohlcv answered without written and rejected');
        }
        return body.written;
      };
      try {
        return { received: bars.length, accepted: bars.length, written: await send(bars), rejected: [] };
      } catch (err) {
        const refused = refusedItems(err, 'bars');
        if (!refused) throw err;
        const rejected = [...refused.keys()]
          .sort((a, b) => a - b)
          .map((index) => ({ index, details: refused.get(index) ?? [] }));
        const rest = bars.filter((_, i) => !refused.has(i));
        const written = rest.length > 0 ? await send(rest) : 0;
        return { received: bars.length, accepted: rest.length, written, rejected };
      }
    },

    /**
     * `POST /api/marketdata/import` (service role): streams a CSV file (`Content-Type: text/csv`) into the api's
     * importer, the same one `npm run import` runs, and returns its report (`ImportReport` of the contracts: stored,
     * rejected rows by reason with line numbers, the clock assumed). Bad rows are in the report, not an error; an
     * unreadable file or bad options are a 400 `HttpError`.
     */
    async importCsv(
      csv: ReadableStream<Uint8Array> | Uint8Array | string,
      q: CsvImportQuery,
      signal?: AbortSignal,
    ): Promise<ImportReport> {
      const params = new URLSearchParams({ symbol: q.symbol, tf: q.timeframe });
      if (q.format) params.set('format', q.format);
      if (q.tz) params.set('tz', q.tz);
      const body = await requestJson<Partial<ImportCsvResponse>>(
        {
          method: 'POST',
          url: `${base}/api/marketdata/import?${params}`,
          raw: { body: csv, contentType: 'text/csv' },
          headers: auth,
          timeoutMs: q.timeoutMs ?? 10 * 60_000,
          signal,
        },
        f,
      );
      if (!body || typeof body.data !== 'object' || body.data === null) {
        throw new Error('POST /api/marketdata/import answered without a report');
      }
      return body.data;
    },

    /** `POST /api/signals/store` (204) under the seed's idempotency key (or `o.idempotencyKey`). */
    storeSignal: (payload: SignalPayload, o?: StoreOptions): Promise<void> =>
      storeOne('/api/signals/store', payload, o),

    /** `POST /api/signals/batch`: at most SIGNAL_BATCH_MAX signals; one result per signal, in order. */
    storeSignals: (payloads: readonly SignalPayload[], signal?: AbortSignal): Promise<BatchWriteResult> =>
      batch('/api/signals/batch', 'signals', payloads, signal),

    /** `POST /api/consensus/store` (204) under the consensus' idempotency key (or `o.idempotencyKey`). */
    storeConsensus: (payload: ConsensusPayload, o?: StoreOptions): Promise<void> =>
      storeOne('/api/consensus/store', payload, o),

    /** `POST /api/consensus/batch`: at most SIGNAL_BATCH_MAX rows; one result per row, in order. */
    storeConsensusBatch: (payloads: readonly ConsensusPayload[], signal?: AbortSignal): Promise<BatchWriteResult> =>
      batch('/api/consensus/batch', 'consensus', payloads, signal),

    /**
     * `POST /api/models` for each model under `owner` (the service key names it); one already registered (409) is
     * fine. A consensus may list only models registered to its owner.
     */
    async registerModels(
      owner: string,
      models: readonly { model_id: string; name: string; description: string }[],
      signal?: AbortSignal,
    ): Promise<void> {
      for (const m of models) {
        try {
          await post('/api/models', { owner, ...m }, signal);
        } catch (err) {
          if (!(err instanceof HttpError && err.status === 409)) throw err;
        }
      }
    },

    /** Re-posts a parked outbox item under the idempotency key it was generated with. */
    async redeliver(
      item: { kind: 'signal' | 'consensus'; payload: unknown; idempotencyKey: string },
      signal?: AbortSignal,
    ): Promise<void> {
      await post(`/api/${item.kind === 'signal' ? 'signals' : 'consensus'}/store`, item.payload, signal, {
        'idempotency-key': item.idempotencyKey,
      });
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;

/** Index of the list item a detail path names (`bars.3.high` → 3), or undefined. */
