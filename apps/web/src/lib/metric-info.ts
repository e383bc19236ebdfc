// What each leaderboard figure means, in a sentence a subscriber can check (docs/metrics.md has the formulas), and how
// it is printed. Shared by the marketplace listing and the model page.
import type { MarketplaceSort, PerformanceMetrics } from '@neuronetiq/contracts';
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
      'Mean position return divided by its standard deviation, annualised for the timeframe and horizon. Higher is steadier profit; shown only for one timeframe and at least two calls.',
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
