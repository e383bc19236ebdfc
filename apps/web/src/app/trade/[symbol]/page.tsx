import {
  type MarketplaceConsensusResponse,
  type MarketplaceModelsResponse,
  type StoredSignal,
  SymbolSchema,
  TIMEFRAMES,
  type Timeframe,
} from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { SignalRow } from '../../../components/signals-table';
import { TradeView } from '../../../components/trade-view';
import type { BarsResponse, Envelope, ModelDetail } from '../../../lib/market';
import { api } from '../../../server/api';
import { getLocale } from '../../../server/locale';
import { getViewer } from '../../../server/viewer';

export async function generateMetadata({ params }: { params: Promise<{ symbol: string }> }): Promise<Metadata> {
  return { title: `${(await params).symbol.toUpperCase()} chart` };
}

export default async function TradePage({
  params,
  searchParams,
}: {
  params: Promise<{ symbol: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const parsedSymbol = SymbolSchema.safeParse(decodeURIComponent((await params).symbol).toUpperCase());
  if (!parsedSymbol.success) notFound();
  const symbol = parsedSymbol.data;
  const tfParam = (await searchParams).tf;
  const tf: Timeframe = TIMEFRAMES.includes(tfParam as Timeframe) ? (tfParam as Timeframe) : '1m';
  const viewer = await getViewer();
  const locale = await getLocale();

  // Public models' calls on this series (every viewer), plus the viewer's own (private ones included).
  const [bars, listing, own, consensus] = await Promise.all([
    api<BarsResponse>(viewer, '/api/marketdata/ohlcv', { query: { symbol, tf, limit: 500 } }),
    api<MarketplaceModelsResponse>(viewer, '/api/marketplace/models', { query: { symbol, tf, limit: 20 } }).catch(
      () => null,
    ),
    viewer ? api<Envelope<StoredSignal[]>>(viewer, '/api/signals', { query: { symbol, tf, limit: 1000 } }) : null,
    // The consensus as this viewer may read it (the database decides): the viewer's own and a fully subscribed one
    // live, any other of public models only once older than the platform's delay; anonymous visitors included.
    api<MarketplaceConsensusResponse>(viewer, '/api/marketplace/consensus', {
      query: { symbol, tf, limit: 120 },
    }).catch(() => null),
  ]);
  const details = await Promise.all(
    (listing?.data ?? []).map((m) =>
      api<Envelope<ModelDetail>>(viewer, `/api/marketplace/models/${m.owner}/${m.model_id}`, {
        query: { signals: 500 },
      }).catch(() => null),
    ),
  );
  const seen = new Set<string>();
  const signals: SignalRow[] = [];
  for (const s of [...(own?.data ?? []), ...details.flatMap((d) => d?.data.latest_signals ?? [])]) {
    const key = `${s.owner}/${s.model_id}/${s.bar_ts}`;
    if (s.symbol !== symbol || s.timeframe !== tf || seen.has(key)) continue;
    seen.add(key);
    signals.push(s);
  }

  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-center gap-4">
        <h1 className="font-mono text-2xl font-semibold tracking-tight">{symbol}</h1>
        <nav aria-label="Timeframe" className="flex rounded-lg border border-border bg-surface p-0.5 text-sm">
          {TIMEFRAMES.map((t) => (
            <Link
              key={t}
              href={`/trade/${symbol}?tf=${t}`}
              aria-current={t === tf ? 'page' : undefined}
              className={`rounded-md px-2.5 py-1 ${t === tf ? 'bg-accent text-accent-fg' : 'text-muted hover:text-text'}`}
            >
              {t}
            </Link>
          ))}
        </nav>
        <span className="text-sm text-muted">
          {signals.length} calls from {new Set(signals.map((s) => `${s.owner}/${s.model_id}`)).size} models
        </span>
      </header>
      <TradeView
        key={`${symbol}-${tf}`}
        symbol={symbol}
        tf={tf}
        initialBars={bars.data}
        initialSignals={signals}
        initialConsensus={consensus?.data ?? null}
        delaySeconds={consensus?.delay_seconds ?? 0}
        signedIn={viewer !== null}
        locale={locale}
      />
    </div>
  );
}
