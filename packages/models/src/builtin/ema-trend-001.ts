import { fromEnd } from '../bar-series';
import { defineModel, undecided } from '../define-model';

const FAST = 20;
const SLOW = 50;
const ATR_PERIOD = 14;

/**
 * Trend following on two EMAs of the close (20 and 50, TA-Lib seeding: the first value is the SMA), last bar:
 * - EMA20 > EMA50 and close > EMA20 → BUY (an up-trend the price confirms);
 * - EMA20 < EMA50 and close < EMA20 → SELL;
 * - otherwise NEUTRAL (no trend, or the price against it).
 * The spread s = |EMA20 − EMA50| / ATR(14) measures the trend's strength in ranges: a trend has confidence
 * 0.5 + 0.5 × min(1, s); NEUTRAL has 0.5 × (1 − min(1, s)) (a wide spread the price disagrees with is no calm).
 * Needs 50 bars, EMA50's first value.
 */
export const emaTrend001 = defineModel({
  id: 'ema-trend-001',
  version: '1.0.0',
  description: 'EMA(20) vs EMA(50) trend confirmed by the close: up-trend BUY, down-trend SELL, else NEUTRAL.',
  requiredBars: SLOW,
  decide(series) {
    const fast = fromEnd(series.ema(FAST));
    const slow = fromEnd(series.ema(SLOW));
    const atr = fromEnd(series.atr(ATR_PERIOD));
    const close = fromEnd(series.close);
    const meta = { ema_fast: fast, ema_slow: slow, atr, close };
    if (!Number.isFinite(fast) || !Number.isFinite(slow) || !(atr > 0)) {
      return undecided('EMA or ATR is undefined on this series', meta);
    }
    const strength = Math.min(1, Math.abs(fast - slow) / atr);
    if (fast > slow && close > fast) return { decision: 'BUY', confidence: 0.5 + 0.5 * strength, meta };
    if (fast < slow && close < fast) return { decision: 'SELL', confidence: 0.5 + 0.5 * strength, meta };
    return { decision: 'NEUTRAL', confidence: 0.5 * (1 - strength), meta };
  },
});
