// Request bodies → validated, columnar series. The fast path (./fast-series.ts) answers valid requests; anything
// it is unsure of goes through the contracts' zod schemas, which decide and word every error.
import {
  type ErrorDetail,
  FeaturesRequestSchema,
  type IndicatorRequest,
  PredictBatchRequestSchema,
  PredictRequestSchema,
  type WorkerSeries,
  zodIssuesToDetails,
} from '@neuronetiq/contracts';
import type { BarColumns, ModelRegistry } from '@neuronetiq/models';
import { AppError } from '@neuronetiq/service';
import type { z } from 'zod';
import { fastParseBatch, fastParseSeries, type ParsedSeries } from './fast-series';

export type { ParsedSeries } from './fast-series';

/** A body the byte decoder (./decode-series.ts) already turned into validated series. */
export class DecodedSeriesBody {
  constructor(readonly series: ParsedSeries[]) {}
}

/** Details beyond this many are summarised: 500,000 bad bars must not make a 50 MB error response. */
const MAX_DETAILS = 100;

export interface RequestLimits {
  /** Most bars one request may carry, over all its series (`WORKER_MAX_BARS_PER_REQUEST`). */
  readonly maxBarsPerRequest: number;
}

export function parsePredictRequest(body: unknown, limits: RequestLimits, registry: ModelRegistry): ParsedSeries {
  if (body instanceof DecodedSeriesBody && body.series.length === 1) {
    const series = body.series[0] as ParsedSeries;
    checkModelIds(series, registry, []);
    return series;
  }
  checkBarLimit(countBars(body), limits, 'bars');
  const series = fastParseSeries(body) ?? toParsedSeries(zodParse(PredictRequestSchema, body));
  checkModelIds(series, registry, []);
  return series;
}

export function parsePredictBatchRequest(
  body: unknown,
  limits: RequestLimits,
  registry: ModelRegistry,
): ParsedSeries[] {
  if (body instanceof DecodedSeriesBody) {
    body.series.forEach((series, i) => {
      checkModelIds(series, registry, ['series', i]);
    });
    return body.series;
  }
  const seriesList = (body as { series?: unknown } | null)?.series;
  const total = Array.isArray(seriesList) ? seriesList.reduce<number>((sum, s) => sum + countBars(s), 0) : 0;
  checkBarLimit(total, limits, 'series');
  const parsed = fastParseBatch(body) ?? zodParse(PredictBatchRequestSchema, body).series.map(toParsedSeries);
  parsed.forEach((series, i) => {
    checkModelIds(series, registry, ['series', i]);
  });
  return parsed;
}

export function parseFeaturesRequest(
  body: unknown,
  limits: RequestLimits,
): { series: ParsedSeries; indicators: IndicatorRequest[] } {
  checkBarLimit(countBars(body), limits, 'bars');
  const request = zodParse(FeaturesRequestSchema, body);
  return { series: toParsedSeries({ ...request, models: undefined }), indicators: request.indicators };
}

function countBars(series: unknown): number {
  const bars = (series as { bars?: unknown } | null)?.bars;
  return Array.isArray(bars) ? bars.length : 0;
}

function checkBarLimit(bars: number, limits: RequestLimits, path: string): void {
  if (bars > limits.maxBarsPerRequest) {
    throw new AppError('VALIDATION_ERROR', {
      message: `The request holds ${bars} bars; this worker accepts at most ${limits.maxBarsPerRequest} bars per request (WORKER_MAX_BARS_PER_REQUEST). Split it into several requests.`,
      details: [{ path, message: `at most ${limits.maxBarsPerRequest} bars per request; got ${bars}` }],
    });
  }
}

function checkModelIds(series: ParsedSeries, registry: ModelRegistry, prefix: (string | number)[]): void {
  if (!series.models) return;
  const details: ErrorDetail[] = [];
  series.models.forEach((id, i) => {
    if (!registry.find(id)) {
      const known = registry
        .list()
        .map((m) => m.id)
        .join(', ');
      details.push({
        path: [...prefix, 'models', i].join('.'),
        message: `unknown model "${id}"; registered: ${known}`,
      });
    }
  });
  if (details.length > 0) {
    throw new AppError('VALIDATION_ERROR', { message: `${details[0]?.message} (${details[0]?.path})`, details });
  }
}

function zodParse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const all = zodIssuesToDetails(result.error, body);
  const details = all.slice(0, MAX_DETAILS);
  const first = details[0];
  const more = all.length > MAX_DETAILS ? ` Showing the first ${MAX_DETAILS} of ${all.length} problems.` : '';
  throw new AppError('VALIDATION_ERROR', {
    message: first
      ? `Invalid request: ${first.path || 'body'}: ${first.message}${all.length > 1 ? ` (and ${all.length - 1} more)` : ''}.${more}`
      : 'Invalid request',
    details,
  });
}

function toParsedSeries(series: WorkerSeries): ParsedSeries {
  const n = series.bars.length;
  const columns: BarColumns = {
    barTsMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  series.bars.forEach((bar, i) => {
    columns.barTsMs[i] = Date.parse(bar.bar_ts);
    columns.open[i] = bar.open;
    columns.high[i] = bar.high;
    columns.low[i] = bar.low;
    columns.close[i] = bar.close;
    columns.volume[i] = bar.volume ?? Number.NaN;
  });
  return { symbol: series.symbol, timeframe: series.timeframe, models: series.models, columns };
}
