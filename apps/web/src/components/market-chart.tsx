'use client';
import {
  type CandlestickData,
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  LineSeries,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef } from 'react';
import { type ChartBar, type ChartSignal, indicatorLines, type LinePoint } from '../lib/chart-data';
import { css, localTimeOptions, smallChartOptions } from '../lib/chart-theme';
import { pricePrecision } from '../lib/format';

export interface Overlays {
  ema: boolean;
  bollinger: boolean;
  rsi: boolean;
}

const ts = (t: number) => t as UTCTimestamp;
const lineData = (points: LinePoint[]): LineData<Time>[] => points.map((p) => ({ time: ts(p.time), value: p.value }));

function singleMarkers(calls: ChartSignal[]): SeriesMarker<Time>[] {
  return [...calls]
    .sort((a, b) => a.time - b.time)
    .map((x) =>
      x.decision === 'BUY'
        ? { time: ts(x.time), position: 'belowBar', shape: 'arrowUp', color: css('--buy') }
        : { time: ts(x.time), position: 'aboveBar', shape: 'arrowDown', color: css('--sell') },
    );
}

function groupedMarkers(calls: ChartSignal[]): SeriesMarker<Time>[] {
  const byTime = new Map<number, { buy: number; sell: number }>();
  for (const c of calls) {
    const n = byTime.get(c.time) ?? { buy: 0, sell: 0 };
    if (c.decision === 'BUY') n.buy++;
    else n.sell++;
    byTime.set(c.time, n);
  }
  const out: SeriesMarker<Time>[] = [];
  for (const [time, n] of [...byTime].sort((a, b) => a[0] - b[0])) {
    if (n.buy) {
      const text = n.buy > 1 ? String(n.buy) : '';
      out.push({ time: ts(time), position: 'belowBar', shape: 'arrowUp', color: css('--buy'), text });
    }
    if (n.sell) {
      const text = n.sell > 1 ? String(n.sell) : '';
      out.push({ time: ts(time), position: 'aboveBar', shape: 'arrowDown', color: css('--sell'), text });
    }
  }
  return out;
}

interface Series {
  candles: ISeriesApi<'Candlestick'>;
  ema20: ISeriesApi<'Line'>;
  ema50: ISeriesApi<'Line'>;
  bbUpper: ISeriesApi<'Line'>;
  bbMiddle: ISeriesApi<'Line'>;
  bbLower: ISeriesApi<'Line'>;
  rsi: ISeriesApi<'Line'> | null;
  markers: ReturnType<typeof createSeriesMarkers<Time>>;
}

/**
 * Candles with signals as markers (BUY below the bar, SELL above; NEUTRAL not drawn), optional EMA 20/50 and Bollinger
 * (20, 2) overlays and an RSI 14 pane, all computed in the browser with @neuronetiq/indicators. Colours follow the
 * theme's tokens.
 */
export function MarketChart({
  bars,
  signals,
  overlays = { ema: false, bollinger: false, rsi: false },
  height = 420,
  label,
  labels = false,
}: {
  bars: ChartBar[];
  signals: ChartSignal[];
  overlays?: Overlays;
  height?: number;
  label: string;
  /** One marker per bar and side with the number of models calling it (the trading view, where many models share a bar). */
  labels?: boolean;
}) {
  const container = useRef<HTMLElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<Series | null>(null);
  const lines = useMemo(() => indicatorLines(bars), [bars]);
  const rsiOn = overlays.rsi;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const { localization, tickMarkFormatter } = localTimeOptions();
    const c = createChart(el, {
      autoSize: true,
      localization,
      layout: {
        background: { color: 'transparent' },
        textColor: css('--muted'),
        fontFamily: 'inherit',
        attributionLogo: true,
      },
      grid: { vertLines: { color: css('--border') }, horzLines: { color: css('--border') } },
      rightPriceScale: { borderColor: css('--border') },
      // The left edge fixed: the oldest bar stays at the edge and its time label inside the axis.
      timeScale: {
        borderColor: css('--border'),
        timeVisible: true,
        secondsVisible: false,
        fixLeftEdge: true,
        tickMarkFormatter,
      },
      crosshair: { mode: 0 },
    });
    const candles = c.addSeries(CandlestickSeries, {
      upColor: css('--buy'),
      downColor: css('--sell'),
      wickUpColor: css('--buy'),
      wickDownColor: css('--sell'),
      borderVisible: false,
    });
    const overlay = (color: string, width: 1 | 2 = 1) =>
      c.addSeries(LineSeries, { color, lineWidth: width, priceLineVisible: false, lastValueVisible: false });
    const s: Series = {
      candles,
      ema20: overlay('#e0a526', 2),
      ema50: overlay('#8b5cf6', 2),
      bbUpper: overlay(css('--accent')),
      bbMiddle: overlay(css('--neutral')),
      bbLower: overlay(css('--accent')),
      rsi: null,
      markers: createSeriesMarkers(candles, []),
    };
    if (rsiOn) {
      s.rsi = c.addSeries(LineSeries, { color: '#e0a526', lineWidth: 1, priceLineVisible: false }, 1);
      s.rsi.createPriceLine({ price: 70, color: css('--sell'), lineStyle: 2, lineWidth: 1, axisLabelVisible: false });
      s.rsi.createPriceLine({ price: 30, color: css('--buy'), lineStyle: 2, lineWidth: 1, axisLabelVisible: false });
      c.panes()[1]?.setHeight(110);
    }
    chart.current = c;
    series.current = s;
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, [rsiOn]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: rsiOn rebuilds the chart above, whose data must be set again
  useEffect(() => {
    const s = series.current;
    if (!s) return;
    // FX quotes to 5 decimals, crypto to 2: the price scale and the last price as the quote itself is written.
    const last = bars.at(-1);
    if (last) {
      const precision = pricePrecision(last.close);
      s.candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
    }
    s.candles.setData(bars.map((b): CandlestickData<Time> => ({ ...b, time: ts(b.time) })));
    s.ema20.setData(overlays.ema ? lineData(lines.ema20) : []);
    s.ema50.setData(overlays.ema ? lineData(lines.ema50) : []);
    s.bbUpper.setData(overlays.bollinger ? lineData(lines.bbUpper) : []);
    s.bbMiddle.setData(overlays.bollinger ? lineData(lines.bbMiddle) : []);
    s.bbLower.setData(overlays.bollinger ? lineData(lines.bbLower) : []);
    s.rsi?.setData(lineData(lines.rsi14));
    const known = new Set(bars.map((b) => b.time));
    const calls = signals.filter((x) => x.decision !== 'NEUTRAL' && known.has(x.time));
    s.markers.setMarkers(labels ? groupedMarkers(calls) : singleMarkers(calls));
  }, [bars, signals, lines, overlays.ema, overlays.bollinger, rsiOn, labels]);

  return (
    <figure ref={container} aria-label={label} style={{ height }} className="m-0 w-full" data-testid="market-chart" />
  );
}

/** A small line chart (cumulative return). */
export function LineChart({ points, label, height = 180 }: { points: LinePoint[]; label: string; height?: number }) {
  const container = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const c = createChart(el, smallChartOptions());
    const last = points.at(-1)?.value ?? 0;
    const s = c.addSeries(LineSeries, {
      color: last >= 0 ? css('--buy') : css('--sell'),
      lineWidth: 2,
      priceFormat: { type: 'percent' },
    });
    s.setData(points.map((p) => ({ time: ts(p.time), value: p.value * 100 })));
    c.timeScale().fitContent();
    return () => c.remove();
  }, [points]);
  return <figure ref={container} aria-label={label} style={{ height }} className="m-0 w-full" />;
}
