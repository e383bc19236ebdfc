// Binance spot klines: for each configured symbol and timeframe, pages `GET /api/v3/klines` forward from the newest
// stored bar (or `backfillBars` bars back), posts the closed klines to the api, then polls for each new close.
//
// "Closed" means closeTime < min(the response's Date header, the cron's clock). Binance's Date header is its own
// clock truncated to the second, so it never runs ahead of the exchange: a cron whose clock runs fast still waits for
// Binance to close the kline, and one whose clock runs slow waits for its own (it then polls again after pollMs).
//
// Errors: 429 and 418 (rate limit, IP ban) wait Retry-After (at most maxRetryAfterMs); 403 (WAF), 5xx, timeouts and
// refused connections back off exponentially with jitter; a malformed body is logged, counted and retried the same
// way. Any other 4xx (400 -1121 "Invalid symbol.") is permanent for that series: logged once, the series stops, the
// others go on. A failed post to our api keeps the position, so the same klines are fetched and posted again.
import { type BackoffPolicy, backoffDelayMs, type FetchLike, withRetry } from '@neuronetiq/client';
import { barStart, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import {
  BINANCE_INTERVALS,
  BINANCE_KLINES_LIMIT,
  type BinanceKline,
  isClosedKline,
  klineToBar,
  parseBinanceError,
  parseKlinesBody,
} from './binance-klines-parse';
import type { IngestDeps } from './synthetic-ingest';

export interface BinanceKlinesOptions {
  symbols: string[];
  timeframes: Timeframe[];
  /** e.g. https://api.binance.com */
  baseUrl: string;
  /** Longest wait between two polls of a caught-up series. */
  pollMs: number;
  /** Where a series with no stored bars (or only older ones) starts: this many bars before the current one. */
  backfillBars: number;
  /** Polls this long after each bar close, so Binance has closed the kline. Default 2000. */
  closeOffsetMs?: number;
  /** Per request. Default 10000. */
  requestTimeoutMs?: number;
  /** Backoff of transient failures. Default 1 s … 5 min. */
  backoff?: BackoffPolicy;
  /** Cap of one Retry-After wait. Default 5 min. */
  maxRetryAfterMs?: number;
}

export type BinanceSeriesStatus = 'starting' | 'backfilling' | 'live' | 'stopped';

/** A series as /health shows it. */
export interface BinanceSeriesState {
  symbol: string;
  timeframe: Timeframe;
  status: BinanceSeriesStatus;
  /** Open time of the newest bar posted (or found stored at start), ISO-8601 UTC. */
  last_bar: string | null;
  last_error: { at: string; kind: BinanceErrorKind; message: string } | null;
  posted: number;
  rejected: number;
}

export type BinanceErrorKind = 'rate_limited' | 'unavailable' | 'malformed' | 'invalid_request' | 'api';

export interface BinanceKlinesDeps extends IngestDeps {
  fetch?: FetchLike;
  random?: () => number;
}

type FetchOutcome =
  | { ok: true; klines: BinanceKline[]; serverNowMs: number | undefined }
  | { ok: false; kind: BinanceErrorKind; message: string; waitMs?: number };

const PROVIDER = 'binance';

export function createBinanceKlinesIngest(options: BinanceKlinesOptions, deps: BinanceKlinesDeps) {
  const fetchImpl = deps.fetch ?? fetch;
  const closeOffsetMs = options.closeOffsetMs ?? 2_000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const backoff = options.backoff ?? { baseMs: 1_000, maxMs: 5 * 60_000 };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 5 * 60_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  const states: BinanceSeriesState[] = options.symbols.flatMap((symbol) =>
    options.timeframes.map((timeframe) => ({
      symbol,
      timeframe,
      status: 'starting' as const,
      last_bar: null,
      last_error: null,
      posted: 0,
      rejected: 0,
    })),
  );
  const sleep = (ms: number, signal: AbortSignal) => deps.clock.sleep(ms, signal);

  async function fetchKlines(state: BinanceSeriesState, startMs: number, signal: AbortSignal): Promise<FetchOutcome> {
    const params = new URLSearchParams({
      symbol: state.symbol,
      interval: BINANCE_INTERVALS[state.timeframe],
      startTime: String(startMs),
      limit: String(BINANCE_KLINES_LIMIT),
    });
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(`${base}/api/v3/klines?${params}`, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      text = await res.text();
    } catch (err) {
      return { ok: false, kind: 'unavailable', message: `GET /api/v3/klines failed: ${(err as Error).message}` };
    }
    if (!res.ok) {
      const body = parseBinanceError(text);
      const message = `GET /api/v3/klines answered ${res.status}${body ? ` ${body.code} ${body.msg}` : `: ${text.slice(0, 200)}`}`;
      if (res.status === 429 || res.status === 418) {
        const seconds = Number(res.headers.get('retry-after'));
        const waitMs = Number.isFinite(seconds) && seconds > 0 ? Math.min(maxRetryAfterMs, seconds * 1000) : undefined;
        return { ok: false, kind: 'rate_limited', message, waitMs };
      }
      if (res.status >= 500 || res.status === 403 || res.status === 408) {
        return { ok: false, kind: 'unavailable', message };
      }
      return { ok: false, kind: 'invalid_request', message };
    }
    const parsed = parseKlinesBody(text);
    if (!parsed.ok) return { ok: false, kind: 'malformed', message: `malformed klines body: ${parsed.error}` };
    const date = Date.parse(res.headers.get('date') ?? '');
    return { ok: true, klines: parsed.klines, serverNowMs: Number.isNaN(date) ? undefined : date };
  }

  /** Where the series goes on from: after the newest stored bar, or backfillBars back if that is older. */
  async function resumeFrom(state: BinanceSeriesState, signal: AbortSignal): Promise<number | undefined> {
    const tf = TIMEFRAME_MS[state.timeframe];
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const bars = await withRetry(
          () => deps.api.getBars({ symbol: state.symbol, timeframe: state.timeframe, limit: 1 }, signal),
          { attempts: 3, baseMs: 200, maxMs: 2_000 },
        );
        const backfillStart = barStart(deps.clock.now(), state.timeframe) - options.backfillBars * tf;
        const newest = bars.at(-1);
        if (!newest) return backfillStart;
        state.last_bar = new Date(Date.parse(newest.bar_ts)).toISOString();
        return Math.max(Date.parse(newest.bar_ts) + tf, backfillStart);
      } catch (err) {
        deps.logger.warn({ symbol: state.symbol, attempt, err: (err as Error).message }, 'api not reachable yet');
        await sleep(Math.min(30_000, 1_000 * attempt), signal);
      }
    }
    return undefined;
  }

  function noteError(state: BinanceSeriesState, kind: BinanceErrorKind, message: string): void {
    state.last_error = { at: new Date(deps.clock.now()).toISOString(), kind, message };
    deps.metrics.providerErrors.inc({ provider: PROVIDER, symbol: state.symbol, timeframe: state.timeframe, kind });
  }

  async function runSeries(state: BinanceSeriesState, signal: AbortSignal): Promise<void> {
    const tf = TIMEFRAME_MS[state.timeframe];
    const labels = { provider: PROVIDER, symbol: state.symbol, timeframe: state.timeframe };
    const log = { symbol: state.symbol, timeframe: state.timeframe };
    let next = await resumeFrom(state, signal);
    if (next === undefined) return;
    state.status = 'backfilling';
    let failures = 0;
    const backOff = async (waitMs?: number) => {
      failures++;
      await sleep(waitMs ?? backoffDelayMs(failures, backoff, deps.random), signal);
    };

    while (!signal.aborted) {
      const page = await fetchKlines(state, next, signal);
      if (signal.aborted) return;
      if (!page.ok) {
        noteError(state, page.kind, page.message);
        if (page.kind === 'invalid_request') {
          state.status = 'stopped';
          deps.logger.error({ ...log, err: page.message }, 'Binance refused the series; it is stopped');
          return;
        }
        deps.logger.warn({ ...log, kind: page.kind, err: page.message }, 'Binance klines failed; retrying');
        await backOff(page.waitMs);
        continue;
      }
      const closeBound = Math.min(deps.clock.now(), page.serverNowMs ?? Number.POSITIVE_INFINITY);
      const from = next;
      const closed = page.klines.filter((k) => k.openTimeMs >= from && isClosedKline(k, closeBound));
      if (closed.length > 0) {
        const bars = closed.map((k) => klineToBar(k, state.symbol, state.timeframe));
        try {
          const result = await deps.api.upsertBars(bars, signal);
          const rejected = result.rejected.length;
          deps.metrics.providerBars.inc({ ...labels, outcome: 'posted' }, bars.length - rejected);
          state.posted += bars.length - rejected;
          if (rejected > 0) {
            deps.metrics.providerBars.inc({ ...labels, outcome: 'rejected' }, rejected);
            state.rejected += rejected;
            const first = result.rejected[0];
            const message = `the api rejected ${rejected} of ${bars.length} bars (first: ${bars[first?.index ?? 0]?.bar_ts} ${first?.details.map((d) => `${d.path}: ${d.message}`).join('; ')})`;
            noteError(state, 'api', message);
            deps.logger.error({ ...log, rejected }, message);
          }
        } catch (err) {
          // Not advanced: the same klines are fetched and posted again (the api's upsert makes that harmless).
          noteError(state, 'api', `bar post failed: ${(err as Error).message}`);
          deps.logger.warn({ ...log, err: (err as Error).message }, 'bar post failed; retrying');
          await backOff();
          continue;
        }
        const last = closed.at(-1) as BinanceKline;
        next = last.openTimeMs + tf;
        state.last_bar = new Date(last.openTimeMs).toISOString();
      }
      failures = 0;
      // A full page ending in a closed kline: more history waits. Otherwise caught up: wait for the next close
      // (+ offset), at most pollMs.
      const lastOfPage = page.klines.at(-1);
      if (page.klines.length === BINANCE_KLINES_LIMIT && lastOfPage && isClosedKline(lastOfPage, closeBound)) continue;
      if (state.status !== 'live') {
        state.status = 'live';
        deps.logger.info({ ...log, last_bar: state.last_bar }, 'Binance klines caught up');
      }
      const now = deps.clock.now();
      const nextCloseMs = Math.max(next + tf, barStart(now, state.timeframe) + tf);
      await sleep(Math.max(1, Math.min(options.pollMs, nextCloseMs + closeOffsetMs - now)), signal);
    }
  }

  let controller: AbortController | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start(): void {
      controller = new AbortController();
      const signal = controller.signal;
      running = Promise.allSettled(
        states.map((s) =>
          runSeries(s, signal).catch((err: Error) => {
            s.status = 'stopped';
            noteError(s, 'api', `unexpected: ${err.message}`);
            deps.logger.error({ symbol: s.symbol, timeframe: s.timeframe, err: err.message }, 'Binance series failed');
          }),
        ),
      );
    },
    async stop(): Promise<void> {
      controller?.abort();
      await running;
    },
    /** Each series' state, for /health. */
    series(): BinanceSeriesState[] {
      return states.map((s) => ({ ...s, last_error: s.last_error && { ...s.last_error } }));
    },
  };
}
