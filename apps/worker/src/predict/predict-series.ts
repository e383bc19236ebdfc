import type { PredictionResult, SeriesPredictions } from '@neuronetiq/contracts';
import { BarSeries, isInsufficientBars, type ModelRegistry } from '@neuronetiq/models';
import type { ParsedSeries } from '../validation/parse-request';

/**
 * Runs the asked-for models (all when none are named) on one series. The models share one `BarSeries`, so an
 * indicator several of them read is computed once.
 */
export function predictSeries(options: { series: ParsedSeries; registry: ModelRegistry }): SeriesPredictions {
  const { series, registry } = options;
  const bars = new BarSeries(series.columns);
  const models = series.models
    ? series.models.map((id) => registry.find(id)).filter((m) => m !== undefined)
    : registry.list();
  const predictions: PredictionResult[] = models.map((model) => {
    const outcome = model.predict(bars);
    if (isInsufficientBars(outcome)) {
      return {
        model_id: model.id,
        error: outcome.error,
        message: outcome.message,
        required_bars: outcome.requiredBars,
        received_bars: outcome.receivedBars,
      };
    }
    return { model_id: model.id, decision: outcome.decision, confidence: outcome.confidence, meta: outcome.meta };
  });
  const lastMs = bars.barTsMs[bars.length - 1] as number;
  return { symbol: series.symbol, timeframe: series.timeframe, bar_ts: new Date(lastMs).toISOString(), predictions };
}
