'use client';
import type { StoredBar, StreamEvent } from '@neuronetiq/contracts';
import { useMemo, useState } from 'react';
import { type ChartSignal, cumulativeReturn, normaliseBars, toSeconds } from '../lib/chart-data';
import { LiveBadge, useLiveStream } from '../lib/use-live-stream';
import { LineChart, MarketChart } from './market-chart';
import { type SignalRow, SignalsTable } from './signals-table';

/** The model page's live part: chart of its main series with its calls, cumulative return, latest signals. */
export function ModelLive({
  owner,
  modelId,
  symbol,
  tf,
  initialBars,
  initialSignals,
  locale,
}: {
  owner: string;
  modelId: string;
  symbol: string;
  tf: string;
  initialBars: StoredBar[];
  initialSignals: SignalRow[];
  locale: string;
}) {
  const [bars, setBars] = useState(initialBars);
  const [signals, setSignals] = useState(initialSignals);
  const status = useLiveStream({ symbol, tf, types: ['signal', 'bar'] }, (e: StreamEvent) => {
    const row = e.data as Record<string, unknown>;
    if (e.type === 'bar') setBars((prev) => [row as unknown as StoredBar, ...prev].slice(0, 1000));
    if (e.type === 'signal' && row.owner === owner && row.model_id === modelId) {
      const s = row as unknown as SignalRow;
      setSignals((prev) => [s, ...prev.filter((p) => p.bar_ts !== s.bar_ts || p.symbol !== s.symbol)].slice(0, 500));
    }
  });
  const chartBars = useMemo(() => normaliseBars(bars), [bars]);
  const series = signals.filter((s) => s.symbol === symbol && s.timeframe === tf);
  const chartSignals = useMemo<ChartSignal[]>(
    () =>
      series.map((s) => ({
        time: toSeconds(s.bar_ts),
        decision: s.decision,
        modelId: s.model_id,
        confidence: s.confidence,
      })),
    [series],
  );
  const curve = useMemo(() => cumulativeReturn(chartBars, chartSignals), [chartBars, chartSignals]);
  return (
    <div className="space-y-6">
      <section className="card overflow-hidden" aria-labelledby="chart-title">
        <div className="flex items-center justify-between border-b border-border px-4 py-2.5">
          <h2 id="chart-title" className="text-sm font-medium">
            {symbol} · {tf} with this model&apos;s calls
          </h2>
          <LiveBadge status={status} />
        </div>
        <div className="p-2">
          {chartBars.length ? (
            <MarketChart
              bars={chartBars}
              signals={chartSignals}
              label={`Candlestick chart of ${symbol} ${tf} with ${chartSignals.length} calls of ${modelId}`}
            />
          ) : (
            <p className="p-10 text-center text-sm text-muted">
              No bars stored for {symbol} {tf} yet.
            </p>
          )}
        </div>
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        <section className="card overflow-hidden" aria-labelledby="curve-title">
          <h2 id="curve-title" className="border-b border-border px-4 py-2.5 text-sm font-medium">
            Cumulative return of its calls on the charted bars
          </h2>
          <div className="p-2">
            {curve.length > 1 ? (
              <LineChart points={curve} label={`Cumulative return of ${modelId}: ${curve.length} resolved calls`} />
            ) : (
              <p className="p-10 text-center text-sm text-muted">Not enough resolved calls on the charted bars yet.</p>
            )}
          </div>
        </section>
        <section className="card overflow-hidden" aria-labelledby="latest-title">
          <h2 id="latest-title" className="border-b border-border px-4 py-2.5 text-sm font-medium">
            Latest signals
          </h2>
          <div className="max-h-[360px] overflow-y-auto">
            <SignalsTable signals={signals.slice(0, 50)} locale={locale} caption={`Latest signals of ${modelId}`} />
          </div>
        </section>
      </div>
    </div>
  );
}
