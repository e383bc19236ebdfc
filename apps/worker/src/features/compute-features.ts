import type { IndicatorRequest, IndicatorResult } from '@neuronetiq/contracts';
import { BarSeries } from '@neuronetiq/models';
import { AppError } from '@neuronetiq/service';
import type { ParsedSeries } from '../validation/parse-request';

const NEEDS_VOLUME = new Set<IndicatorRequest['name']>(['obv', 'vwap']);

/** Indicator series for one series of bars, aligned with the bars; NaN (warm-up, or a NaN input) becomes null. */
export function computeFeatures(options: { series: ParsedSeries; indicators: readonly IndicatorRequest[] }): {
  barTs: string[];
  indicators: IndicatorResult[];
} {
  const bars = new BarSeries(options.series.columns);
  const volumeIndicator = options.indicators.find((r) => NEEDS_VOLUME.has(r.name));
  const missing = volumeIndicator ? bars.volume.findIndex(Number.isNaN) : -1;
  if (volumeIndicator && missing >= 0) {
    throw new AppError('VALIDATION_ERROR', {
      message: `${volumeIndicator.name} needs a volume on every bar; bar ${missing} has none`,
      details: [{ path: `bars.${missing}.volume`, message: `is required by ${volumeIndicator.name}` }],
    });
  }
  const indicators = options.indicators.map((request) => ({
    name: request.name,
    params: request.params as Record<string, number>,
    series: Object.fromEntries(Object.entries(compute(bars, request)).map(([k, v]) => [k, toJsonSeries(v)])),
  }));
  return { barTs: Array.from(bars.barTsMs, (ms) => new Date(ms).toISOString()), indicators };
}

function compute(bars: BarSeries, request: IndicatorRequest): Record<string, Float64Array> {
  switch (request.name) {
    case 'sma':
      return { value: bars.sma(request.params.period) };
    case 'ema':
      return { value: bars.ema(request.params.period) };
    case 'wma':
      return { value: bars.wma(request.params.period) };
    case 'rsi':
      return { value: bars.rsi(request.params.period) };
    case 'roc':
      return { value: bars.roc(request.params.period) };
    case 'atr':
      return { value: bars.atr(request.params.period) };
    case 'adx':
      return { value: bars.adx(request.params.period) };
    case 'cci':
      return { value: bars.cci(request.params.period) };
    case 'williamsR':
      return { value: bars.williamsR(request.params.period) };
    case 'obv':
      return { value: bars.obv() };
    case 'vwap':
      return { value: bars.vwap() };
    case 'macd': {
      const { fast, slow, signal } = request.params;
      return { ...bars.macd(fast, slow, signal) };
    }
    case 'bollinger':
      return { ...bars.bollinger(request.params.period, request.params.stddev) };
    case 'stochastic': {
      const { k_period, k_smoothing, d_period } = request.params;
      return { ...bars.stochastic(k_period, k_smoothing, d_period) };
    }
  }
}

function toJsonSeries(values: Float64Array): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}
