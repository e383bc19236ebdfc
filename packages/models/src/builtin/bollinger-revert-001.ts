import { fromEnd } from '../bar-series';
import { defineModel, undecided } from '../define-model';

const PERIOD = 20;
const STDDEV = 2;

/**
 * Mean reversion on Bollinger bands (20, 2; population standard deviation) of the close, on the last bar.
 * With %B = (close − lower) / (upper − lower):
 * - close below the lower band (%B < 0) → BUY, expecting a return to the middle; confidence min(1, 0.5 − %B);
 * - close above the upper band (%B > 1) → SELL; confidence min(1, 0.5 + (%B − 1));
 * - inside the bands → NEUTRAL, confidence 0.5 × (1 − 2 × |%B − 0.5|): 0.5 on the middle band, 0 on either band.
 * Confidence saturates half a band-width (two standard deviations) past the band. A flat window (zero width)
 * has no %B: NEUTRAL with confidence 0. Needs 20 bars.
 */
export const bollingerRevert001 = defineModel({
  id: 'bollinger-revert-001',
  version: '1.0.0',
  description: 'Bollinger(20,2) mean reversion: close below the lower band BUY, above the upper band SELL.',
  requiredBars: PERIOD,
  decide(series) {
    const bands = series.bollinger(PERIOD, STDDEV);
    const upper = fromEnd(bands.upper);
    const middle = fromEnd(bands.middle);
    const lower = fromEnd(bands.lower);
    const close = fromEnd(series.close);
    const width = upper - lower;
    if (!(width > 0)) return undecided('the bands have no width on this series', { upper, middle, lower, close });
    const percentB = (close - lower) / width;
    const meta = { upper, middle, lower, close, percent_b: percentB };
    if (percentB < 0) return { decision: 'BUY', confidence: Math.min(1, 0.5 - percentB), meta };
    if (percentB > 1) return { decision: 'SELL', confidence: Math.min(1, 0.5 + (percentB - 1)), meta };
    return { decision: 'NEUTRAL', confidence: 0.5 * (1 - 2 * Math.abs(percentB - 0.5)), meta };
  },
});
