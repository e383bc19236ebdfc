import type { StoredBar } from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ModelLive } from '../../../../../components/model-live';
import { Stat } from '../../../../../components/stat';
import { VendorAttribution } from '../../../../../components/vendor';
import { formatInt, formatPercent, formatReturn, returnTone } from '../../../../../lib/format';
import type { BarsResponse, Envelope, ModelDetail } from '../../../../../lib/market';
import { ApiError, api } from '../../../../../server/api';
import { getLocale } from '../../../../../server/locale';
import { getViewer } from '../../../../../server/viewer';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

export async function generateMetadata({
  params,
}: {
  params: Promise<{ owner: string; model: string }>;
}): Promise<Metadata> {
  const { owner, model } = await params;
  return { title: `${model} by ${owner}` };
}

export default async function ModelPage({ params }: { params: Promise<{ owner: string; model: string }> }) {
  const { owner, model } = await params;
  if (!SLUG.test(owner) || !SLUG.test(model)) notFound();
  const viewer = await getViewer();
  const locale = await getLocale();
  let detail: ModelDetail;
  try {
    detail = (
      await api<Envelope<ModelDetail>>(viewer, `/api/marketplace/models/${owner}/${model}`, { query: { signals: 500 } })
    ).data;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) notFound();
    throw err;
  }
  const main = detail.series[0];
  let bars: StoredBar[] = [];
  if (main) {
    bars = (
      await api<BarsResponse>(viewer, '/api/marketdata/ohlcv', {
        query: { symbol: main.symbol, tf: main.tf, limit: 300 },
      })
    ).data;
  }
  const tr = detail.track_record;
  const live = detail.track_record_live;
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/marketplace" className="hover:text-text">
          Marketplace
        </Link>{' '}
        / <span className="text-text">{detail.model_id}</span>
      </nav>
      <header className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">
            {detail.name}
            {detail.visibility === 'private' && (
              <span className="badge ml-2 bg-surface-2 align-middle text-muted">private</span>
            )}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted">
            <VendorAttribution vendor={detail.vendor} size={22} />
            <span className="font-mono text-xs">
              {detail.owner}/{detail.model_id}
            </span>
          </div>
          <p className="mt-3 max-w-3xl whitespace-pre-line text-sm">{detail.description || 'No description yet.'}</p>
        </div>
        {main && (
          <Link href={`/trade/${main.symbol}?tf=${main.tf}`} className="btn-secondary shrink-0">
            Open {main.symbol} in the trading view
          </Link>
        )}
      </header>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Hit rate"
          value={formatPercent(locale, tr.hit_rate)}
          hint={tr.backfilled ? 'over backfilled history, not live calls' : 'live calls'}
        />
        <Stat
          label="Avg return per call"
          value={formatReturn(locale, tr.mean_return)}
          tone={returnTone(tr.mean_return)}
        />
        <Stat
          label="Resolved calls"
          value={formatInt(locale, tr.resolved)}
          hint={live ? `${formatInt(locale, live.resolved)} live` : undefined}
        />
        <Stat
          label="Signals"
          value={formatInt(locale, detail.signal_count)}
          hint={detail.series.map((s) => `${s.symbol} ${s.tf}`).join(', ')}
        />
      </dl>
      {main ? (
        <ModelLive
          owner={detail.owner}
          modelId={detail.model_id}
          symbol={main.symbol}
          tf={main.tf}
          initialBars={bars}
          initialSignals={detail.latest_signals ?? []}
          locale={locale}
        />
      ) : (
        <p className="card p-10 text-center text-sm text-muted">This model has not published a signal yet.</p>
      )}
    </div>
  );
}
