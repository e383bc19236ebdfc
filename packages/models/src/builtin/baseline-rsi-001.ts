import { fromEnd } from '../bar-series';
import { defineModel, undecided } from '../define-model';

const PERIOD = 14;
const OVERSOLD = 30;
const OVERBOUGHT = 70;

/**
 * The seed's baseline. RSI(14) of the close (Wilder's smoothing, TA-Lib's seeding) on the last bar:
 * - RSI < 30 → BUY, confidence 0.5 + 0.5 × (30 − RSI) / 30 (0.5 just past the threshold, 1 at RSI 0);
 * - RSI > 70 → SELL, confidence 0.5 + 0.5 × (RSI − 70) / 30 (1 at RSI 100);
 * - otherwise NEUTRAL, confidence 0.5 × (1 − |RSI − 50| / 20): 0.5 at RSI 50, falling to 0 at either threshold.
 * Exactly 30 or 70 is NEUTRAL (the rule says below and above). `meta.rsi` carries the value, as in the seed.
 * A flat window has no RSI (TA-Lib reports 0 there, which would read as "deeply oversold"): NEUTRAL, confidence 0.
 * Needs 15 bars, RSI(14)'s first defined value.
 */
export const baselineRsi001 = defineModel({
  id: 'baseline-rsi-001',
  version: '1.0.0',
  description: 'RSI(14) of the close: below 30 BUY, above 70 SELL, else NEUTRAL; confidence grows past the threshold.',
  requiredBars: PERIOD + 1,
  decide(series) {
    const value = fromEnd(series.rsi(PERIOD));
    if (!Number.isFinite(value)) return undecided('RSI is undefined on this series', { rsi: null });
    if (value === 0 && isFlat(series.close, PERIOD + 1))
      return undecided('flat series: RSI is undefined', { rsi: null });
    const meta = { rsi: value };
    if (value < OVERSOLD) return { decision: 'BUY', confidence: 0.5 + (0.5 * (OVERSOLD - value)) / OVERSOLD, meta };
    if (value > OVERBOUGHT) {
      return { decision: 'SELL', confidence: 0.5 + (0.5 * (value - OVERBOUGHT)) / (100 - OVERBOUGHT), meta };
    }
    return { decision: 'NEUTRAL', confidence: 0.5 * (1 - Math.abs(value - 50) / 20), meta };
  },
});

function isFlat(close: Float64Array, bars: number): boolean {
  const last = close[close.length - 1];
  for (let i = close.length - bars; i < close.length - 1; i++) if (close[i] !== last) return false;
  return true;
}
