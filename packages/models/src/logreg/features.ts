import { type BarSeries, fromEnd } from '../bar-series';

/**
 * The feature vector of `logreg-001`, read on the last bar of a window. Every feature is scale-free (an
 * oscillator rescaled to about [-1, 1], or a distance in ATR(14) units) so that one set of weights fits any
 * instrument's price level.
 */
export const FEATURE_NAMES = [
  'rsi14', // (RSI(14) − 50) / 50
  'macd_hist_atr', // MACD(12,26,9) histogram / ATR(14)
  'bollinger_pct_b', // %B of Bollinger(20,2) − 0.5
  'close_ema20_atr', // (close − EMA20) / ATR(14)
  'ema20_ema50_atr', // (EMA20 − EMA50) / ATR(14)
  'roc10_atr', // close − close 10 bars ago, / ATR(14)
  'stoch_k', // stochastic %K(14,3,3) / 100 − 0.5
  'williams_r', // Williams %R(14) / 100 + 0.5
  'cci20', // CCI(20) / 100
  'adx14', // ADX(14) / 100
  'body_atr', // (close − open) / ATR(14) of the last bar
  'range_atr', // (high − low) / ATR(14) of the last bar
] as const;

/** Bars the window must hold: ADX(14) and EMA(50) settle within it (their seed's weight is below 0.3%). */
export const FEATURE_WINDOW_BARS = 200;

/** The features of the window's last bar, in `FEATURE_NAMES` order; `null` when one is undefined. */
export function featureVector(window: BarSeries): Float64Array | null {
  const atr = fromEnd(window.atr(14));
  if (!(atr > 0)) return null;
  const close = fromEnd(window.close);
  const bands = window.bollinger(20, 2);
  const upper = fromEnd(bands.upper);
  const lower = fromEnd(bands.lower);
  const ema20 = fromEnd(window.ema(20));
  const x = new Float64Array(FEATURE_NAMES.length);
  x[0] = (fromEnd(window.rsi(14)) - 50) / 50;
  x[1] = fromEnd(window.macd(12, 26, 9).histogram) / atr;
  x[2] = upper > lower ? (close - lower) / (upper - lower) - 0.5 : 0;
  x[3] = (close - ema20) / atr;
  x[4] = (ema20 - fromEnd(window.ema(50))) / atr;
  x[5] = (close - fromEnd(window.close, 10)) / atr;
  x[6] = fromEnd(window.stochastic(14, 3, 3).k) / 100 - 0.5;
  x[7] = fromEnd(window.williamsR(14)) / 100 + 0.5;
  x[8] = fromEnd(window.cci(20)) / 100;
  x[9] = fromEnd(window.adx(14)) / 100;
  x[10] = (close - fromEnd(window.open)) / atr;
  x[11] = (fromEnd(window.high) - fromEnd(window.low)) / atr;
  for (const v of x) if (!Number.isFinite(v)) return null;
  return x;
}
