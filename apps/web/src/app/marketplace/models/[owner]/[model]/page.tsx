import { MarketplaceModelQuerySchema, METRIC_PERIODS, type StoredBar, type Subscription } from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Explain } from '../../../../../components/explain';
import { ModelLive } from '../../../../../components/model-live';
import { PerformanceCharts } from '../../../../../components/performance-charts';
import { Stat } from '../../../../../components/stat';
import {
  CancelSubscriptionForm,
  PaymentDuePanel,
  SubscribedSince,
  SubscribeForm,
} from '../../../../../components/subscribe-panel';
import { VendorAttribution } from '../../../../../components/vendor';
import {
  formatDuration,
  formatInt,
  formatPercent,
  formatReturn,
  formatSmallReturnBp,
  returnTone,
} from '../../../../../lib/format';
import type { BarsResponse, Envelope, ModelDetail } from '../../../../../lib/market';
import {
  formatMetric,
  METRIC_INFO,
  PROVISIONAL_EXPLAIN,
  sharpeNote,
  WINDOW_LABELS,
} from '../../../../../lib/metric-info';
import { activeSubscription, formatMonthlyPrice, pastDueAdvice } from '../../../../../lib/subscriptions';
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

/** The figures of the stats table, in its column order. */
const STAT_COLUMNS = [
  'scored',
  'hit_rate',
  'hit_rate_low',
  'mean_return',
  'median_return',
  'sharpe',
  'max_drawdown',
  'profit_factor',
  'spearman',
  'late_share',
] as const;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function ModelPage({
  params,
  searchParams,
}: {
  params: Promise<{ owner: string; model: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { owner, model } = await params;
  if (!SLUG.test(owner) || !SLUG.test(model)) notFound();
  const sp = await searchParams;
  // The charts' window and horizon; a bad value falls back to the default rather than failing the page.
  const chartQuery =
    MarketplaceModelQuerySchema.safeParse({ window: first(sp.window), horizon: first(sp.horizon) }).data ??
    MarketplaceModelQuerySchema.parse({});
  const viewer = await getViewer();
  const locale = await getLocale();
  let detail: ModelDetail;
  try {
    detail = (
      await api<Envelope<ModelDetail>>(viewer, `/api/marketplace/models/${owner}/${model}`, {
        query: { signals: 500, window: chartQuery.window, horizon: chartQuery.horizon },
      })
    ).data;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) notFound();
    throw err;
  }
  // The viewer's subscription to this model, if any (the api lists the caller's own through RLS).
  let subscription: Subscription | undefined;
  let subscriptionsError = false;
  if (viewer && viewer.owner !== detail.owner) {
    try {
      const subs = (await api<Envelope<Subscription[]>>(viewer, '/api/subscriptions')).data;
      subscription = activeSubscription(subs, viewer.owner, detail.owner, detail.model_id);
    } catch {
      subscriptionsError = true;
    }
  }
  // The platform's delay for non-subscribers (24 h unless configured), as words.
  const delay = formatDuration(locale, detail.delay_seconds ?? 86_400);
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
  // Only a backfilled record: chart it (labelled so), rather than an empty live curve.
  if (tr.backfilled && tr.scored > 0 && (detail.curve ?? []).length === 0) {
    detail.curve = (
      await api<Envelope<ModelDetail>>(viewer, `/api/marketplace/models/${owner}/${model}`, {
        query: { signals: 1, window: chartQuery.window, horizon: chartQuery.horizon, source: 'backfilled' },
      })
    ).data.curve;
  }
  const chartSource = tr.backfilled && tr.scored > 0 ? 'backfilled history' : 'live calls';
  const stats = detail.stats ?? [];
  const horizons = [...new Set(stats.map((m) => m.horizon_bars))].sort((a, b) => a - b);
  const chartHref = (over: { window?: string; horizon?: number }) => {
    const p = new URLSearchParams({
      window: over.window ?? chartQuery.window,
      horizon: String(over.horizon ?? chartQuery.horizon),
    });
    return `/marketplace/models/${owner}/${model}?${p}`;
  };
  const meanBp = formatSmallReturnBp(locale, tr.mean_return);
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
      <section
        id="subscribe"
        className="card space-y-3 p-4"
        aria-labelledby="subscribe-title"
        data-testid="subscribe-panel"
      >
        <div className="flex flex-wrap items-baseline gap-x-3">
          <h2 id="subscribe-title" className="text-sm font-semibold">
            Subscription
          </h2>
          <span className="text-lg font-semibold tabular-nums" data-testid="model-price">
            {formatMonthlyPrice(locale, detail.price_pence)}
          </span>
        </div>
        {viewer === null ? (
          <Link
            href={`/marketplace/login?next=${encodeURIComponent(`/marketplace/models/${detail.owner}/${detail.model_id}`)}`}
            className="btn-primary inline-flex"
          >
            Sign in to subscribe
          </Link>
        ) : viewer.owner === detail.owner ? (
          <p className="text-sm text-muted">Your model: you see its signals live.</p>
        ) : subscriptionsError ? (
          <p role="alert" className="text-sm text-sell">
            Your subscriptions could not be read just now. Reload the page to try again.
          </p>
        ) : subscription ? (
          <div className="space-y-2">
            <SubscribedSince iso={subscription.started_at} />
            <PaymentDuePanel
              id={subscription.id}
              label={`${detail.owner}/${detail.model_id}`}
              pastDueSince={subscription.past_due_since}
              advice={pastDueAdvice(delay)}
            />
            <CancelSubscriptionForm id={subscription.id} label={`${detail.owner}/${detail.model_id}`} />
          </div>
        ) : (
          <SubscribeForm
            owner={detail.owner}
            modelId={detail.model_id}
            price={formatMonthlyPrice(locale, detail.price_pence)}
            charged={(detail.price_pence ?? 0) > 0}
          />
        )}
        <p className="text-xs text-muted" data-testid="signal-delay-note">
          {viewer?.owner === detail.owner
            ? `Non-subscribers see your signals ${delay} after they are received.`
            : subscription?.status === 'active'
              ? 'You see its signals live, as they are received.'
              : `Signals shown here are delayed by ${delay}: subscribers see them live, everyone else ${delay} after they were received. The figures cover every scored call.`}
        </p>
      </section>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Hit rate"
          explain={METRIC_INFO.hit_rate.explain}
          value={formatPercent(locale, tr.hit_rate)}
          hint={tr.backfilled ? 'over backfilled history, not live calls' : 'live calls'}
        />
        <Stat
          label="Avg return per call"
          explain="Average signed return of the BUY and SELL calls over one bar: BUY earns the move, SELL its opposite."
          value={formatReturn(locale, tr.mean_return)}
          tone={returnTone(tr.mean_return)}
          // 1m calls earn fractions of a basis point: say how much rather than a bare 0.000%.
          hint={meanBp && `${meanBp} per call (1 bp = 0.01%)`}
        />
        <Stat
          label="Resolved calls"
          explain={METRIC_INFO.resolved.explain}
          value={formatInt(locale, tr.resolved)}
          hint={live ? `${formatInt(locale, live.resolved)} live` : undefined}
        />
        <Stat
          label="Signals"
          explain={METRIC_INFO.signal_count.explain}
          value={formatInt(locale, detail.signal_count)}
          hint={detail.series.map((s) => `${s.symbol} ${s.tf}`).join(', ')}
        />
      </dl>
      <nav aria-label="Chart window and horizon" className="flex flex-wrap items-center gap-2 text-sm">
        {METRIC_PERIODS.map((w) => (
          <Link
            key={w}
            href={chartHref({ window: w })}
            aria-current={chartQuery.window === w ? 'true' : undefined}
            className={`badge ${chartQuery.window === w ? 'bg-accent text-accent-fg' : 'bg-surface-2 text-muted hover:text-text'}`}
          >
            {WINDOW_LABELS[w]}
          </Link>
        ))}
        <span aria-hidden className="text-muted">
          ·
        </span>
        {[...new Set([1, ...horizons])].map((h) => (
          <Link
            key={h}
            href={chartHref({ horizon: h })}
            aria-current={chartQuery.horizon === h ? 'true' : undefined}
            className={`badge ${chartQuery.horizon === h ? 'bg-accent text-accent-fg' : 'bg-surface-2 text-muted hover:text-text'}`}
          >
            {h === 1 ? '1 bar' : `${h} bars`}
          </Link>
        ))}
      </nav>
      <PerformanceCharts
        curve={detail.curve ?? []}
        caption={`${chartSource}, ${WINDOW_LABELS[chartQuery.window].toLowerCase()}, ${chartQuery.horizon}-bar horizon`}
      />
      <section className="card overflow-hidden" aria-labelledby="stats-title">
        <h2 id="stats-title" className="px-4 pt-4 text-sm font-semibold">
          Figures per window and horizon <span className="font-normal text-muted">· live calls</span>
        </h2>
        {stats.length === 0 ? (
          <p className="p-6 text-center text-sm text-muted">No live call has resolved yet.</p>
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
          <section className="overflow-x-auto pb-6" tabIndex={0} aria-label="Figures table">
            <table className="mt-2 w-full min-w-[900px]" data-testid="stats-table">
              <caption className="sr-only">Live figures of this model per window and horizon</caption>
              <thead className="border-b border-border bg-surface-2/60">
                <tr>
                  <th scope="col" className="th">
                    Window
                  </th>
                  <th scope="col" className="th text-right">
                    Horizon
                  </th>
                  {STAT_COLUMNS.map((k) => (
                    <th key={k} scope="col" className="th text-right">
                      <Explain id={`stat-${k}`} text={METRIC_INFO[k].explain}>
                        {METRIC_INFO[k].label}
                      </Explain>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {stats.map((m) => (
                  <tr key={`${m.period}-${m.horizon_bars}`}>
                    <th scope="row" className="td text-left font-medium">
                      {WINDOW_LABELS[m.period]}
                      {m.provisional && (
                        <Explain
                          id={`stat-provisional-${m.period}-${m.horizon_bars}`}
                          text={PROVISIONAL_EXPLAIN}
                          className="ml-1.5"
                        >
                          <span className="badge bg-warn-bg text-warn-fg">provisional</span>
                        </Explain>
                      )}
                    </th>
                    <td className="td text-right tabular-nums">{m.horizon_bars}</td>
                    {STAT_COLUMNS.map((k) => (
                      <td
                        key={k}
                        className="td text-right tabular-nums"
                        title={k === 'sharpe' ? sharpeNote(locale, m) : undefined}
                      >
                        {formatMetric(locale, k, m)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>
      {main ? (
        <ModelLive
          // A new subscription state brings other signals: start the live part afresh with them.
          key={subscription ? `live-${subscription.id}` : 'delayed'}
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
