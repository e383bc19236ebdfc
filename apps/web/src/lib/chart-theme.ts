// The charts' colours come from the page's CSS variables, so light and dark themes apply to them too (client only).
import type { Time } from 'lightweight-charts';
import { formatChartTime, formatTickMark } from './format';

/** The value of a CSS custom property on the document, or a neutral grey when it is unset. */
export const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/**
 * Times in the viewer's zone and locale, as the pages' tables print them (lightweight-charts draws UTC by default):
 * the axis labels, and the crosshair's label with the UTC time beside it.
 */
export function localTimeOptions() {
  const locale = navigator.language;
  return {
    localization: { locale, timeFormatter: (t: Time) => formatChartTime(locale, t as number) },
    tickMarkFormatter: (t: Time, type: number) => formatTickMark(locale, t as number, type),
  };
}

/**
 * The small charts' time scale, colours aside. Fixed edges: the whole curve fits and lightweight-charts moves the first
 * and last time labels inside the axis (at a free edge it centres them on their bar and cuts the first one in half).
 */
export const SMALL_CHART_TIME_SCALE = { timeVisible: true, fixLeftEdge: true, fixRightEdge: true } as const;

/** Options of the small line and area charts (cumulative return, equity, drawdown, hit rate). */
export const smallChartOptions = () => {
  const { localization, tickMarkFormatter } = localTimeOptions();
  return {
    autoSize: true,
    layout: { background: { color: 'transparent' }, textColor: css('--muted'), fontFamily: 'inherit' },
    localization,
    grid: { vertLines: { visible: false }, horzLines: { color: css('--border') } },
    rightPriceScale: { borderColor: css('--border') },
    timeScale: { ...SMALL_CHART_TIME_SCALE, borderColor: css('--border'), tickMarkFormatter },
  };
};
