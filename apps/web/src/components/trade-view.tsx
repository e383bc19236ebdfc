'use client';
import type { MarketplaceConsensus, StoredBar, StreamEvent } from '@neuronetiq/contracts';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { type ChartSignal, normaliseBars, toSeconds } from '../lib/chart-data';
import { formatDuration, formatPercent, formatPrice, formatReturn, formatUtc, returnTone } from '../lib/format';
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
  delaySeconds,
  signedIn,
  locale,
}: {
  symbol: string;
  tf: string;
  initialBars: StoredBar[];
  initialSignals: SignalRow[];
  /** What `GET /api/marketplace/consensus` gave this viewer; null when it could not be read. */
  initialConsensus: MarketplaceConsensus[] | null;
  /** The platform's delay for non-subscribers, in seconds. */
  delaySeconds: number;
  signedIn: boolean;
  locale: string;
}) {
  const [bars, setBars] = useState(initialBars);
  const [signals, setSignals] = useState(initialSignals);
  const [consensus, setConsensus] = useState(initialConsensus ?? []);
  const [overlays, setOverlays] = useState<Overlays>({ ema: true, bollinger: false, rsi: true });
  const status = useLiveStream({ symbol, tf, types: ['bar', 'signal', 'consensus'] }, (e: StreamEvent) => {
    const row = e.data as Record<string, unknown>;
    if (e.type === 'bar') setBars((prev) => [row as unknown as StoredBar, ...prev].slice(0, 1500));
    if (e.type === 'signal') setSignals((prev) => [row as unknown as SignalRow, ...prev].slice(0, 3000));
    if (e.type === 'consensus') {
      // The stream brings a consensus only to those entitled to it as it happens (its owner, a full subscriber).
      const c = { ...(row as unknown as MarketplaceConsensus), live: true };
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
  // One strip per publisher of a consensus (the platform's orchestrator, vendors'), newest publisher first.
  const publishers = useMemo(() => {
    const byOwner = new Map<string, MarketplaceConsensus[]>();
    for (const c of consensus) byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), c]);
    return [...byOwner.entries()]
      .map(([owner, rows]) => ({ owner, rows: rows.sort((a, b) => a.bar_ts.localeCompare(b.bar_ts)).slice(-60) }))
      .sort((a, b) => (b.rows.at(-1)?.bar_ts ?? '').localeCompare(a.rows.at(-1)?.bar_ts ?? ''))
      .slice(0, 3);
  }, [consensus]);
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
              // Signed like a quote board (+0.01%), and a change that rounds to 0.00% is neither red nor "-0.00%".
              <span
                className={`text-sm tabular-nums ${{ buy: 'text-buy', sell: 'text-sell', none: 'text-muted' }[returnTone(change, 2) ?? 'none']}`}
                data-testid="last-change"
              >
                {formatReturn(locale, change, 2)}
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
            labels
            label={`Candlestick chart of ${symbol} ${tf}: ${chartBars.length} bars, ${chartSignals.length} model calls`}
          />
        ) : (
          <p className="p-16 text-center text-sm text-muted" data-testid="no-bars">
            No {tf} bars stored for {symbol} yet. Bars appear here as they are ingested.
          </p>
        )}
      </section>

      <section className="card p-4" aria-labelledby="consensus-title" data-testid="consensus-strip">
        <h2 id="consensus-title" className="mb-3 text-sm font-medium">
          Consensus
        </h2>
        {initialConsensus === null ? (
          <p className="text-sm text-muted" role="alert">
            The consensus could not be loaded just now. Reload the page to try again.
          </p>
        ) : publishers.length === 0 ? (
          <p className="text-sm text-muted" data-testid="consensus-empty">
            No consensus visible for {symbol} {tf} yet.
          </p>
        ) : (
          <div className="space-y-4">
            {publishers.map(({ owner, rows }) => (
              <ConsensusRow key={owner} owner={owner} rows={rows} locale={locale} />
            ))}
          </div>
        )}
        <DelayNote
          delaySeconds={delaySeconds}
          signedIn={signedIn}
          shown={publishers.some((p) => p.rows.some((r) => !r.live)) || (!signedIn && initialConsensus !== null)}
          delayedModels={delayedModels(publishers)}
          symbol={symbol}
          tf={tf}
          locale={locale}
        />
      </section>
    </div>
  );
}

/** One publisher's consensus: its newest decision and a strip of its last bars, oldest first. */
function ConsensusRow({ owner, rows, locale }: { owner: string; rows: MarketplaceConsensus[]; locale: string }) {
  const latest = rows.at(-1);
  if (!latest) return null;
  return (
    <div data-testid="consensus-publisher" data-owner={owner}>
      <div className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <DecisionBadge decision={latest.decision} />
        <span className="tabular-nums text-muted">{formatPercent(locale, latest.confidence, 0)} confidence</span>
        <span className="text-xs text-muted">
          for the bar of <LocalTime iso={latest.bar_ts} />, {latest.contributors.length}{' '}
          {latest.contributors.length === 1 ? 'model' : 'models'} of {owner}
        </span>
        {latest.meta?.backfilled === true ? (
          <span
            className="badge bg-warn-bg text-warn-fg"
            data-testid="consensus-backfilled"
            title="Computed after the fact over past bars from the models' backfilled calls: history, not a live call."
          >
            backfilled
          </span>
        ) : latest.live ? (
          <span className="badge bg-buy/15 text-buy" data-testid="consensus-live">
            Live
          </span>
        ) : (
          <span className="badge bg-neutral/15 text-muted" data-testid="consensus-delayed">
            Delayed
          </span>
        )}
      </div>
      <ol
        className="flex h-6 gap-px overflow-hidden rounded"
        aria-label={`Consensus of ${owner}'s models, oldest first`}
      >
        {rows.map((c) => (
          <li
            key={`${c.owner}/${c.bar_ts}`}
            className={`flex-1 ${DECISION_BG[c.decision]}`}
            style={{ opacity: 0.35 + 0.65 * c.confidence }}
            title={`${c.decision} ${formatPercent(locale, c.confidence, 0)} · ${formatUtc(c.bar_ts)}${c.meta?.backfilled === true ? ' · backfilled' : ''}`}
          >
            <span className="sr-only">
              {c.decision} at {c.bar_ts}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The models behind each delayed consensus shown (its newest row's contributors): subscribing to them makes it live. */
function delayedModels(publishers: { owner: string; rows: MarketplaceConsensus[] }[]): string[] {
  const models = new Set<string>();
  for (const { owner, rows } of publishers) {
    const latest = rows.at(-1);
    if (latest && !latest.live) for (const c of latest.contributors) models.add(`${owner}/${c.model_id}`);
  }
  return [...models].slice(0, 8);
}

/** Says why a consensus is late (or missing) for this viewer and how to see it live. */
function DelayNote({
  delaySeconds,
  signedIn,
  shown,
  delayedModels,
  symbol,
  tf,
  locale,
}: {
  delaySeconds: number;
  signedIn: boolean;
  shown: boolean;
  /** `owner/model_id` of the models to subscribe to for a live consensus. */
  delayedModels: string[];
  symbol: string;
  tf: string;
  locale: string;
}) {
  if (!shown || delaySeconds <= 0) return null;
  const delay = formatDuration(locale, delaySeconds);
  const next = encodeURIComponent(`/trade/${symbol}?tf=${tf}`);
  return (
    <p className="mt-3 text-xs text-muted" data-testid="consensus-delay-note">
      Delayed by {delay}: a consensus is shown here {delay} after it was made; its owner and subscribers of every model
      in it see it live.{' '}
      {signedIn && delayedModels.length > 0 ? (
        <>
          Subscribe to see it live:{' '}
          {delayedModels.map((m, i) => (
            <span key={m}>
              {i > 0 && ', '}
              <Link
                href={`/marketplace/models/${m}#subscribe`}
                className="text-accent underline underline-offset-2"
                data-testid="consensus-subscribe-link"
              >
                {m}
              </Link>
            </span>
          ))}
        </>
      ) : signedIn ? (
        <Link
          href={`/marketplace?symbol=${encodeURIComponent(symbol)}&tf=${tf}`}
          className="text-accent underline underline-offset-2"
        >
          The models on {symbol} {tf}
        </Link>
      ) : (
        <Link href={`/marketplace/login?next=${next}`} className="text-accent underline underline-offset-2">
          Sign in
        </Link>
      )}
      .
    </p>
  );
}
