'use client';
import type { StoredConsensus, StoredSignal, StreamEvent } from '@neuronetiq/contracts';
import { useState } from 'react';
import { formatPercent } from '../lib/format';
import { LiveBadge, useLiveStream } from '../lib/use-live-stream';
import { DecisionBadge } from './decision-badge';
import { LocalTime } from './local-time';
import { type SignalRow, SignalsTable } from './signals-table';

const signalKey = (s: StoredSignal) => `${s.model_id}/${s.symbol}/${s.timeframe}/${s.bar_ts}`;
const consensusKey = (c: StoredConsensus) => `${c.symbol}/${c.timeframe}/${c.bar_ts}`;

/** The seed's SignalsPanel and ConsensusPanel: the owner's latest rows, updated live from the event stream. */
export function VendorLivePanels({
  owner,
  initialSignals,
  initialConsensus,
  locale,
}: {
  owner: string;
  initialSignals: SignalRow[];
  initialConsensus: StoredConsensus[];
  locale: string;
}) {
  const [signals, setSignals] = useState(initialSignals);
  const [consensus, setConsensus] = useState(initialConsensus);
  const status = useLiveStream({ types: ['signal', 'consensus'] }, (e: StreamEvent) => {
    const row = e.data as Record<string, unknown>;
    if (row.owner !== owner) return;
    if (e.type === 'signal') {
      const s = row as unknown as StoredSignal;
      setSignals((prev) => [s, ...prev.filter((p) => signalKey(p) !== signalKey(s))].slice(0, 25));
    } else if (e.type === 'consensus') {
      const c = row as unknown as StoredConsensus;
      setConsensus((prev) => [c, ...prev.filter((p) => consensusKey(p) !== consensusKey(c))].slice(0, 10));
    }
  });
  return (
    <div className="grid gap-6 lg:grid-cols-5">
      <section
        className="card overflow-hidden lg:col-span-3"
        aria-labelledby="signals-panel-title"
        data-testid="signals-panel"
      >
        <div className="flex items-center justify-between border-b border-border px-4 py-2.5">
          <h2 id="signals-panel-title" className="text-sm font-medium">
            Latest signals
          </h2>
          <LiveBadge status={status} />
        </div>
        <div className="max-h-[420px] overflow-y-auto">
          <SignalsTable signals={signals} locale={locale} showModel caption="Your latest signals" />
        </div>
      </section>
      <section
        className="card overflow-hidden lg:col-span-2"
        aria-labelledby="consensus-panel-title"
        data-testid="consensus-panel"
      >
        <h2 id="consensus-panel-title" className="border-b border-border px-4 py-2.5 text-sm font-medium">
          Latest consensus
        </h2>
        {consensus.length === 0 ? (
          <p className="p-6 text-center text-sm text-muted" data-testid="consensus-panel-empty">
            No consensus yet. The platform computes one at each bar close for its built-in models only; a consensus of
            your models is one you publish (<code className="text-xs">POST /api/consensus/store</code>, docs/api.md).
          </p>
        ) : (
          <ul className="divide-y divide-border">
            {consensus.map((c) => (
              <li
                key={consensusKey(c)}
                className="flex items-center gap-3 px-4 py-2.5 text-sm"
                data-testid="consensus-row"
              >
                <DecisionBadge decision={c.decision} />
                <span className="font-mono text-xs">
                  {c.symbol} · {c.timeframe}
                </span>
                <span className="tabular-nums text-muted">{formatPercent(locale, c.confidence, 0)}</span>
                <span className="ml-auto text-xs text-muted">
                  <LocalTime iso={c.bar_ts} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
