'use client';
import type { StoredBar, StoredConsensus, StreamEvent } from '@neuronetiq/contracts';
import { useMemo, useState } from 'react';
import { type ChartSignal, normaliseBars, toSeconds } from '../lib/chart-data';
import { formatPercent, formatPrice } from '../lib/format';
import { LiveBadge, useLiveStream } from '../lib/use-live-stream';
import { DecisionBadge } from './decision-badge';
import { LocalTime } from './local-time';
import { MarketChart, type Overlays } from './market-chart';
import type { SignalRow } from './signals-table';

const DECISION_BG = { BUY: 'bg-buy', SELL: 'bg-sell', NEUTRAL: 'bg-neutral/50' } as const;

/** The trading view's live part: candles, overlays, every visible model's calls, and the consensus strip. */
export function TradeView({
  symbol,
  tf,
  initialBars,
  initialSignals,
  initialConsensus,
  locale,
}: {
  symbol: string;
  tf: string;
  initialBars: StoredBar[];
  initialSignals: SignalRow[];
  initialConsensus: StoredConsensus[];
  locale: string;
}) {
  const [bars, setBars] = useState(initialBars);
  const [signals, setSignals] = useState(initialSignals);
  const [consensus, setConsensus] = useState(initialConsensus);
  const [overlays, setOverlays] = useState<Overlays>({ ema: true, bollinger: false, rsi: true });
  const status = useLiveStream({ symbol, tf, types: ['bar', 'signal', 'consensus'] }, (e: StreamEvent) => {
    const row = e.data as Record<string, unknown>;
    if (e.type === 'bar') setBars((prev) => [row as unknown as StoredBar, ...prev].slice(0, 1500));
    if (e.type === 'signal') setSignals((prev) => [row as unknown as SignalRow, ...prev].slice(0, 3000));
    if (e.type === 'consensus') {
      const c = row as unknown as StoredConsensus;
      setConsensus((prev) => [c, ...prev.filter((p) => p.bar_ts !== c.bar_ts || p.owner !== c.owner)].slice(0, 300));
    }
  });
  const chartBars = useMemo(() => normaliseBars(bars), [bars]);
  const chartSignals = useMemo<ChartSignal[]>(
    () =>
      signals
        .filter((s) => s.symbol === symbol && s.timeframe === tf)
        .map((s) => ({
          time: toSeconds(s.bar_ts),
          decision: s.decision,
          modelId: s.model_id,
          confidence: s.confidence,
        })),
    [signals, symbol, tf],
  );
  const last = chartBars.at(-1);
  const prev = chartBars.at(-2);
  const change = last && prev ? (last.close - prev.close) / prev.close : null;
  const strip = useMemo(() => [...consensus].sort((a, b) => a.bar_ts.localeCompare(b.bar_ts)).slice(-60), [consensus]);
  const latest = strip.at(-1);
  const toggle = (k: keyof Overlays) => setOverlays((o) => ({ ...o, [k]: !o[k] }));

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
        {last && (
          <p className="flex items-baseline gap-2">
            <span className="text-2xl font-semibold tabular-nums" data-testid="last-price">
              {formatPrice(locale, last.close)}
            </span>
            {change !== null && (
              <span className={`text-sm tabular-nums ${change >= 0 ? 'text-buy' : 'text-sell'}`}>
                {formatPercent(locale, change, 2)}
              </span>
            )}
          </p>
        )}
        <fieldset className="flex flex-wrap gap-3 text-sm">
          <legend className="sr-only">Indicators</legend>
          {(
            [
              ['ema', 'EMA 20/50'],
              ['bollinger', 'Bollinger 20, 2'],
              ['rsi', 'RSI 14'],
            ] as const
          ).map(([k, label]) => (
            <label key={k} className="inline-flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={overlays[k]}
                onChange={() => toggle(k)}
                className="accent-[var(--accent)]"
              />
              {label}
            </label>
          ))}
        </fieldset>
        <span className="ml-auto">
          <LiveBadge status={status} />
        </span>
      </div>

      <section className="card p-2" aria-label={`${symbol} ${tf} chart`}>
        {chartBars.length ? (
          <MarketChart
            bars={chartBars}
            signals={chartSignals}
            overlays={overlays}
            height={overlays.rsi ? 540 : 440}
            label={`Candlestick chart of ${symbol} ${tf}: ${chartBars.length} bars, ${chartSignals.length} model calls`}
          />
        ) : (
          <p className="p-16 text-center text-sm text-muted" data-testid="no-bars">
            No {tf} bars stored for {symbol} yet. Bars appear here as they are ingested.
          </p>
        )}
      </section>

      <section className="card p-4" aria-labelledby="consensus-title" data-testid="consensus-strip">
        <div className="mb-3 flex flex-wrap items-center gap-3">
          <h2 id="consensus-title" className="text-sm font-medium">
            Consensus
          </h2>
          {latest ? (
            <span className="flex items-center gap-2 text-sm">
              <DecisionBadge decision={latest.decision} />
              <span className="tabular-nums text-muted">{formatPercent(locale, latest.confidence, 0)} confidence</span>
              <span className="text-xs text-muted">
                for the bar of <LocalTime iso={latest.bar_ts} />, {latest.contributors.length} models
              </span>
            </span>
          ) : (
            <span className="text-sm text-muted">
              None visible for {symbol} {tf} yet (sign in to see your own).
            </span>
          )}
        </div>
        {strip.length > 0 && (
          <ol className="flex h-6 gap-px overflow-hidden rounded" aria-label="Consensus of the last bars, oldest first">
            {strip.map((c) => (
              <li
                key={`${c.owner}/${c.bar_ts}`}
                className={`flex-1 ${DECISION_BG[c.decision]}`}
                style={{ opacity: 0.35 + 0.65 * c.confidence }}
                title={`${c.decision} ${formatPercent(locale, c.confidence, 0)} · ${c.bar_ts}`}
              >
                <span className="sr-only">
                  {c.decision} at {c.bar_ts}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
