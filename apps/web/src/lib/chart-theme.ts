// The charts' colours come from the page's CSS variables, so light and dark themes apply to them too (client only).

/** The value of a CSS custom property on the document, or a neutral grey when it is unset. */
export const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/** Options of the small line and area charts (cumulative return, equity, drawdown, hit rate). */
export const smallChartOptions = () => ({
  autoSize: true,
  layout: { background: { color: 'transparent' }, textColor: css('--muted'), fontFamily: 'inherit' },
  grid: { vertLines: { visible: false }, horzLines: { color: css('--border') } },
  rightPriceScale: { borderColor: css('--border') },
  timeScale: { borderColor: css('--border'), timeVisible: true },
});
