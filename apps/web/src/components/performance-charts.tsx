'use client';
import type { CurvePoint } from '@neuronetiq/contracts';
import { AreaSeries, createChart, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { curveSeries } from '../lib/chart-data';
import { css, smallChartOptions } from '../lib/chart-theme';
import { Explain } from './explain';

type Kind = 'equity' | 'drawdown' | 'hit_rate';

/** One curve of a model's scored calls: a line (equity, hit rate) or an area below zero (drawdown), in percent. */
function CurveChart({ points, kind, label }: { points: { time: number; value: number }[]; kind: Kind; label: string }) {
  const container = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const c = createChart(el, smallChartOptions());
    const data = points.map((p) => ({ time: p.time as UTCTimestamp, value: p.value * 100 }));
    if (kind === 'drawdown') {
      const s = c.addSeries(AreaSeries, {
        lineColor: css('--sell'),
        topColor: 'rgba(0,0,0,0)',
        bottomColor: css('--sell'),
        lineWidth: 2,
        priceFormat: { type: 'percent' },
      });
      s.setData(data);
    } else {
      const last = points.at(-1)?.value ?? 0;
      const color = kind === 'hit_rate' ? css('--accent') : last >= 0 ? css('--buy') : css('--sell');
      const s = c.addSeries(LineSeries, { color, lineWidth: 2, priceFormat: { type: 'percent' } });
      s.setData(data);
    }
    c.timeScale().fitContent();
    return () => c.remove();
  }, [points, kind]);
  return (
    <figure
      ref={container}
      aria-label={label}
      style={{ height: 180 }}
      className="m-0 w-full"
      data-testid={`chart-${kind}`}
    />
  );
}

const CHARTS: { kind: Kind; title: string; explain: string }[] = [
  {
    kind: 'equity',
    title: 'Equity',
    explain:
      'Cumulative position return of the scored calls in entry order (returns added, not compounded): what following every call would have earned.',
  },
  {
    kind: 'drawdown',
    title: 'Drawdown',
    explain: 'How far the equity is below its previous peak after each call. The deepest point is the max drawdown.',
  },
  {
    kind: 'hit_rate',
    title: 'Hit rate over time',
    explain: 'Share of the BUY and SELL calls so far whose price moved the called way by the horizon.',
  },
];

/** The model page's equity, drawdown and running hit rate (the api's `curve`), each a chart that explains itself. */
export function PerformanceCharts({ curve, caption }: { curve: CurvePoint[]; caption: string }) {
  const series = curveSeries(curve);
  return (
    <section aria-labelledby="perf-charts" className="card p-4" data-testid="performance-charts">
      <h2 id="perf-charts" className="text-sm font-semibold">
        Performance <span className="font-normal text-muted">· {caption}</span>
      </h2>
      {curve.length === 0 ? (
        <p className="p-6 text-center text-sm text-muted">No scored calls in this window yet.</p>
      ) : (
        <div className="mt-3 grid gap-4 lg:grid-cols-3">
          {CHARTS.map((c) => {
            const points = series[c.kind];
            const last = points.at(-1)?.value;
            const summary = last === undefined ? 'no value yet' : `last ${(last * 100).toFixed(2)}%`;
            return (
              <div key={c.kind}>
                <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-muted">
                  <Explain id={`chart-${c.kind}`} text={c.explain}>
                    {c.title}
                  </Explain>
                </h3>
                <CurveChart
                  points={points}
                  kind={c.kind}
                  label={`${c.title} chart of ${curve.length} points, ${summary}`}
                />
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}
