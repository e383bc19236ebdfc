// What each leaderboard figure means, in a sentence a subscriber can check (docs/metrics.md has the formulas), and how
// it is printed. Shared by the marketplace listing and the model page.
import { type MarketplaceSort, type PerformanceMetrics, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { formatInt, formatPercent, formatReturn } from './format';

export interface MetricInfo {
  label: string;
  /** Shown on hover and focus, and read as the figure's description. */
  explain: string;
}

export const METRIC_INFO: Record<MarketplaceSort, MetricInfo> = {
  sharpe: {
    label: 'Sharpe',
    explain:
      'Mean position return per call divided by its standard deviation, annualised: × √(horizons in a 365.25-day year), which is × 725 on 1m bars at a 1-bar horizon, × 94 on 1h, × 19 on 1d. A tiny edge per call on 1m bars becomes a large number, and over a few hours of calls it is mostly noise: compare models on the same timeframe and horizon. Shown only for one timeframe and at least two calls.',
  },
  hit_rate: {
    label: 'Hit rate',
    explain: 'Share of BUY and SELL calls whose price moved the called way by the horizon (NEUTRAL calls not counted).',
  },
  hit_rate_low: {
    label: 'Hit rate (low)',
    explain:
      'Lower end of the 95% Wilson interval of the hit rate: the rate the calls so far make credible. Few calls pull it down.',
  },
  mean_return: {
    label: 'Mean return',
    explain: 'Average position return per scored call: BUY earns the move, SELL its opposite, NEUTRAL nothing.',
  },
  median_return: {
    label: 'Median return',
    explain: 'The middle position return of the scored calls: half did better, half worse. Robust to a few outliers.',
  },
  max_drawdown: {
    label: 'Max drawdown',
    explain: 'Largest fall of the cumulative position return from its previous peak, in entry order. Lower is better.',
  },
  profit_factor: {
    label: 'Profit factor',
    explain:
      'Sum of winning position returns divided by the sum of losing ones. Above 1 earns more than it loses; blank without a loss.',
  },
  spearman: {
    label: 'Spearman',
    explain:
      'Rank correlation (−1 to 1) between direction × confidence and the forward return, as Numerai scores signals: do confident calls move more?',
  },
  late_share: {
    label: 'Late share',
    explain:
      "Share of the window's signals received after their bar closed. Late calls are scored from the next close, never backdated.",
  },
  scored: {
    label: 'Scored',
    explain: 'Calls whose exit at the horizon is known, NEUTRAL included.',
  },
  resolved: {
    label: 'Resolved',
    explain: 'BUY and SELL calls whose price moved by the horizon: the denominator of the hit rate.',
  },
  signals: {
    label: 'Signals (window)',
    explain: 'Signals whose bar opened in the window, late ones included, that you may see.',
  },
  signal_count: {
    label: 'Signals (all)',
    explain: 'Every signal of the model you may see, all time.',
  },
  last_signal_at: {
    label: 'Last signal',
    explain: 'When the newest signal you may see was received. Non-subscribers see signals after the delay.',
  },
  name: { label: 'Name', explain: 'The model’s name, alphabetically.' },
};

export const PROVISIONAL_EXPLAIN =
  'Fewer than 30 resolved calls in this window and horizon: too few to judge, the figures may change a lot.';

export const WINDOW_LABELS = { '7d': 'Last 7 days', '30d': 'Last 30 days', all: 'All time' } as const;

type Figure = Exclude<MarketplaceSort, 'signals' | 'signal_count' | 'last_signal_at' | 'name'>;

/** A figure as the pages print it ("—" when there is none). */
export function formatMetric(locale: string, key: Figure, m: PerformanceMetrics | null | undefined): string {
  const v = m?.[key];
  if (v === null || v === undefined) return '—';
  switch (key) {
    case 'hit_rate':
    case 'hit_rate_low':
    case 'late_share':
      return formatPercent(locale, v);
    case 'mean_return':
    case 'median_return':
      return formatReturn(locale, v);
    case 'max_drawdown':
      return formatPercent(locale, -v, 2);
    case 'scored':
    case 'resolved':
      return formatInt(locale, v);
    default:
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(v);
  }
}

const YEAR_SECONDS = 365.25 * 86_400;

/** √(horizons per 365.25-day year): what a per-call Sharpe ratio is multiplied by (docs/metrics.md). */
export function sharpeAnnualisation(timeframe: Timeframe, horizonBars: number): number {
  return Math.sqrt(YEAR_SECONDS / ((horizonBars * TIMEFRAME_MS[timeframe]) / 1000));
}

/**
 * One row's Sharpe, explained on hover: the annualising factor of its timeframe and horizon, the per-call ratio it
 * came from, and its rough standard error (√((1 + s²/2) / n) per call, Lo 2002) so that a large figure over few calls
 * is not taken at its word. Undefined when the row has no Sharpe.
 */
export function sharpeNote(locale: string, m: PerformanceMetrics | null | undefined): string | undefined {
  const tf = m?.timeframes.length === 1 ? m.timeframes[0] : undefined;
  if (!m || m.sharpe === null || !tf || m.scored < 2) return undefined;
  const factor = sharpeAnnualisation(tf, m.horizon_bars);
  const perCall = m.sharpe / factor;
  const se = factor * Math.sqrt((1 + (perCall * perCall) / 2) / m.scored);
  const n = (v: number, d: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: d }).format(v);
  const horizon = m.horizon_bars === 1 ? '1-bar' : `${m.horizon_bars}-bar`;
  return `Annualised from ${tf} bars at a ${horizon} horizon: ${n(perCall, 4)} per call × ${n(factor, 0)} = ${n(m.sharpe, 2)}, ±${n(se, 1)} (one standard error over ${n(m.scored, 0)} calls).`;
}
