import { fromEnd } from '../bar-series';
import { defineModel, undecided } from '../define-model';

const FAST = 12;
const SLOW = 26;
const SIGNAL = 9;
const ATR_PERIOD = 14;

/**
 * MACD(12, 26, 9) crossover of the close, decided on the last bar. With h = MACD − signal (the histogram):
 * - h crossed up on the last bar (previous h ≤ 0 < last h) → BUY;
 * - h crossed down (previous h ≥ 0 > last h) → SELL;
 * - no cross → NEUTRAL.
 * The size of the cross is measured in ATR(14) units so it means the same on EURUSD and on BTCUSDT:
 * a cross has confidence min(1, 0.5 + |Δh| / ATR), Δh the histogram's change over the last bar; NEUTRAL has
 * confidence min(0.5, |h| / ATR) (a histogram far from zero makes a cross on the next bar unlikely).
 * Needs 35 bars: the first histogram value is at bar 34 (26 + 9 − 1) and a cross needs two.
 */
export const macdCross001 = defineModel({
  id: 'macd-cross-001',
  version: '1.0.0',
  description: 'MACD(12,26,9) line crossing its signal line on the last bar: up BUY, down SELL, else NEUTRAL.',
  requiredBars: SLOW + SIGNAL,
  decide(series) {
    const { macd, signal, histogram } = series.macd(FAST, SLOW, SIGNAL);
    const last = fromEnd(histogram);
    const previous = fromEnd(histogram, 1);
    const atr = fromEnd(series.atr(ATR_PERIOD));
    const meta = { macd: fromEnd(macd), signal: fromEnd(signal), histogram: last, previous_histogram: previous, atr };
    if (!Number.isFinite(last) || !Number.isFinite(previous) || !(atr > 0)) {
      return undecided('MACD or ATR is undefined on this series', meta);
    }
    const strength = Math.abs(last - previous) / atr;
    if (previous <= 0 && last > 0) return { decision: 'BUY', confidence: Math.min(1, 0.5 + strength), meta };
    if (previous >= 0 && last < 0) return { decision: 'SELL', confidence: Math.min(1, 0.5 + strength), meta };
    return { decision: 'NEUTRAL', confidence: Math.min(0.5, Math.abs(last) / atr), meta };
  },
});
