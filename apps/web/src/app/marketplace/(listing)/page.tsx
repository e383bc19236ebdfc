import {
  MARKETPLACE_SORTS,
  MarketplaceModelsQuerySchema,
  type MarketplaceModelsResponse,
  type MarketplaceSort,
  METRIC_PERIODS,
  TIMEFRAMES,
} from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Explain } from '../../../components/explain';
import { LocalTime } from '../../../components/local-time';
import { VendorAttribution } from '../../../components/vendor';
import { formatInt, returnTone } from '../../../lib/format';
import { formatMetric, METRIC_INFO, PROVISIONAL_EXPLAIN, sharpeNote, WINDOW_LABELS } from '../../../lib/metric-info';
import { api } from '../../../server/api';
import { getLocale } from '../../../server/locale';
import { getViewer } from '../../../server/viewer';

export const metadata: Metadata = { title: 'Marketplace' };

type SearchParams = Record<string, string | string[] | undefined>;
/** The horizons the scorer computes by default (ml.score_horizons); any other is accepted by the api in the URL. */
const HORIZONS = [1, 5, 20] as const;
/** The figure columns of the table, left to right; narrower screens hide the later ones (the table also scrolls). */
const FIGURE_COLUMNS = [
  ['hit_rate', ''],
  ['hit_rate_low', 'hidden 2xl:table-cell'],
  ['mean_return', ''],
  ['median_return', 'hidden 2xl:table-cell'],
  ['sharpe', 'hidden sm:table-cell'],
  ['max_drawdown', 'hidden md:table-cell'],
  ['profit_factor', 'hidden xl:table-cell'],
  ['spearman', 'hidden 2xl:table-cell'],
  ['late_share', 'hidden 2xl:table-cell'],
  ['resolved', 'hidden lg:table-cell'],
] as const;

const TONE_CLASS = { buy: 'text-buy', sell: 'text-sell', none: '' } as const;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export default async function MarketplacePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const pageSize = 24;
  const page = Math.max(1, Math.min(10_000, Number.parseInt(first(params.page) ?? '1', 10) || 1));
  const raw = {
    sort: first(params.sort) || undefined,
    order: first(params.order) || undefined,
    q: first(params.q)?.trim() || undefined,
    symbol: first(params.symbol)?.trim().toUpperCase() || undefined,
    timeframe: first(params.timeframe) || first(params.tf) || undefined,
    window: first(params.window) || undefined,
    horizon: first(params.horizon) || undefined,
    limit: pageSize,
    offset: (page - 1) * pageSize,
  };
  const parsed = MarketplaceModelsQuerySchema.safeParse(raw);
  const locale = await getLocale();
  const viewer = await getViewer();

  let result: MarketplaceModelsResponse | null = null;
  let problem: string | null = null;
  if (!parsed.success) {
    problem = parsed.error.issues.map((i) => i.message).join('; ');
  } else {
    try {
      result = await api<MarketplaceModelsResponse>(viewer, '/api/marketplace/models', { query: parsed.data });
    } catch (err) {
      problem = `The marketplace could not be loaded (${(err as Error).message}). Try again in a moment.`;
    }
  }
  const query = parsed.success ? parsed.data : MarketplaceModelsQuerySchema.parse({});
  // The oldest as-of time of the page's stored median, drawdown and Spearman (none: all computed for this request).
  const figuresAsOf = (result?.data ?? [])
    .map((m) => m.row_figures_as_of)
    .filter((t): t is string => Boolean(t))
    .sort()[0];
  const href = (over: Record<string, string | number | undefined>) => {
    const p = new URLSearchParams();
    const merged = {
      sort: query.sort,
      order: query.order,
      q: query.q,
      symbol: query.symbol,
      timeframe: query.timeframe,
      window: query.window === 'all' ? undefined : query.window,
      horizon: query.horizon === 1 ? undefined : query.horizon,
      ...over,
    };
    for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '') p.set(k, String(v));
    return `/marketplace?${p}`;
  };
  const sortHeader = (key: MarketplaceSort, label: string, className = '') => {
    const active = query.sort === key;
    const nextOrder = active && query.order === 'desc' ? 'asc' : 'desc';
    return (
      <th
        scope="col"
        className={`th ${className}`}
        aria-sort={active ? (query.order === 'desc' ? 'descending' : 'ascending') : 'none'}
      >
        <span className="inline-flex items-center gap-1">
          <Link
            href={href({ sort: key, order: nextOrder, page: undefined })}
            className="hover:text-text"
            data-testid={`sort-${key}`}
          >
            {label}
            {active && <span aria-hidden>{query.order === 'desc' ? ' ↓' : ' ↑'}</span>}
          </Link>
          <Explain id={`th-${key}`} text={METRIC_INFO[key].explain} label={`About ${label}`}>
            <svg
              aria-hidden="true"
              viewBox="0 0 16 16"
              className="h-3.5 w-3.5 text-muted"
              fill="none"
              stroke="currentColor"
            >
              <circle cx="8" cy="8" r="6.5" strokeWidth="1.3" />
              <path d="M8 7v4.5M8 4.6v.1" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
          </Explain>
        </span>
      </th>
    );
  };
  const total = result?.total ?? 0;
  const from = total === 0 ? 0 : query.offset + 1;
  const to = Math.min(total, query.offset + (result?.data.length ?? 0));

  return (
    <div className="space-y-6">
      <section className="flex flex-col gap-2 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Signal marketplace</h1>
          <p className="mt-1 max-w-2xl text-sm text-muted">
            Every public model, its vendor and its track record: each call is scored from the first close after it was
            last changed, so no call can profit from a move it saw.
          </p>
        </div>
        {!viewer && (
          <Link href="/marketplace/login?next=/marketplace/vendor" className="btn-secondary self-start sm:self-auto">
            Publish your model
          </Link>
        )}
      </section>

      <form
        method="get"
        action="/marketplace"
        className="card flex flex-wrap items-end gap-3 p-3"
        aria-label="Filter and sort models"
      >
        <div className="min-w-[16rem] flex-1">
          <label htmlFor="q" className="sr-only">
            Search models
          </label>
          <input
            id="q"
            name="q"
            defaultValue={query.q ?? ''}
            placeholder="Search model, name or vendor"
            className="input"
          />
        </div>
        <div className="w-full sm:w-56">
          <label htmlFor="symbol" className="sr-only">
            Symbol
          </label>
          <input
            id="symbol"
            name="symbol"
            defaultValue={query.symbol ?? ''}
            placeholder="Symbol, e.g. BTCUSDT"
            className="input"
          />
        </div>
        <div className="w-full sm:w-44">
          <label htmlFor="timeframe" className="sr-only">
            Timeframe
          </label>
          <select id="timeframe" name="timeframe" defaultValue={query.timeframe ?? ''} className="input">
            <option value="">All timeframes</option>
            {TIMEFRAMES.map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </div>
        <div className="w-full sm:w-40">
          <label htmlFor="window" className="sr-only">
            Window
          </label>
          <select id="window" name="window" defaultValue={query.window} className="input">
            {METRIC_PERIODS.map((w) => (
              <option key={w} value={w}>
                {WINDOW_LABELS[w]}
              </option>
            ))}
          </select>
        </div>
        <div className="w-full sm:w-40">
          <label htmlFor="horizon" className="sr-only">
            Horizon
          </label>
          <select id="horizon" name="horizon" defaultValue={String(query.horizon)} className="input">
            {[...new Set<number>([...HORIZONS, query.horizon])].map((h) => (
              <option key={h} value={h}>
                {h === 1 ? 'Horizon: 1 bar' : `Horizon: ${h} bars`}
              </option>
            ))}
          </select>
        </div>
        <div className="w-full sm:w-60">
          <label htmlFor="sort" className="sr-only">
            Sort by
          </label>
          <select id="sort" name="sort" defaultValue={query.sort} className="input">
            {MARKETPLACE_SORTS.map((s) => (
              <option key={s} value={s}>
                Sort: {METRIC_INFO[s].label}
              </option>
            ))}
          </select>
        </div>
        <div className="w-full sm:w-44">
          <label htmlFor="order" className="sr-only">
            Order
          </label>
          <select id="order" name="order" defaultValue={query.order} className="input">
            <option value="desc">Highest first</option>
            <option value="asc">Lowest first</option>
          </select>
        </div>
        <button type="submit" className="btn-primary">
          Apply
        </button>
      </form>

      {problem && (
        <div role="alert" className="card border-sell/40 p-4 text-sm">
          <p className="font-medium text-sell">Something is wrong with this view</p>
          <p className="mt-1 text-muted">{problem}</p>
          <Link href="/marketplace" className="mt-3 inline-block text-accent hover:underline">
            Reset filters
          </Link>
        </div>
      )}

      {result && result.data.length === 0 && (
        <div className="card grid place-items-center gap-2 p-12 text-center" data-testid="marketplace-empty">
          <p className="font-medium">No models match</p>
          <p className="max-w-md text-sm text-muted">
            {query.q || query.symbol || query.timeframe
              ? 'Try a broader search, or clear the filters.'
              : 'No public models yet. Register one from the vendor dashboard and publish a signal.'}
          </p>
          <Link href="/marketplace" className="btn-secondary mt-2">
            Clear filters
          </Link>
        </div>
      )}

      {result && result.data.length > 0 && (
        <div className="card overflow-hidden">
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
          <section className="overflow-x-auto" tabIndex={0} aria-label="Models">
            <table className="w-full sm:min-w-[720px]" data-testid="marketplace-table">
              <caption className="sr-only">
                Public models, sorted by {METRIC_INFO[query.sort].label.toLowerCase()},{' '}
                {query.order === 'desc' ? 'highest' : 'lowest'} first; figures over{' '}
                {WINDOW_LABELS[query.window].toLowerCase()} at a {query.horizon}-bar horizon
              </caption>
              <thead className="border-b border-border bg-surface-2/60">
                <tr>
                  {sortHeader('name', 'Model')}
                  <th scope="col" className="th">
                    Vendor
                  </th>
                  <th scope="col" className="th hidden md:table-cell">
                    Series
                  </th>
                  {FIGURE_COLUMNS.map(([key, cls]) => sortHeader(key, METRIC_INFO[key].label, `text-right ${cls}`))}
                  {sortHeader('signals', 'Signals', 'text-right hidden lg:table-cell')}
                  {sortHeader('last_signal_at', 'Last signal', 'text-right hidden lg:table-cell')}
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {result.data.map((m) => (
                  <tr key={`${m.owner}/${m.model_id}`} className="hover:bg-surface-2/50" data-testid="model-row">
                    <td className="td">
                      <Link
                        href={`/marketplace/models/${m.owner}/${m.model_id}`}
                        className="font-medium text-accent hover:underline"
                      >
                        {m.name}
                      </Link>
                      <div className="font-mono text-xs text-muted" data-testid="model-id">
                        {m.model_id}
                      </div>
                      {m.provisional && (
                        <Explain
                          id={`provisional-${m.owner}-${m.model_id}`}
                          text={PROVISIONAL_EXPLAIN}
                          className="mt-1"
                        >
                          <span className="badge bg-warn-bg text-warn-fg">provisional</span>
                        </Explain>
                      )}
                    </td>
                    <td className="td">
                      <VendorAttribution vendor={m.vendor} />
                    </td>
                    <td className="td hidden md:table-cell">
                      <div className="flex flex-wrap gap-1">
                        {m.series.slice(0, 4).map((s) => (
                          <Link
                            key={`${s.symbol}-${s.tf}`}
                            href={`/trade/${s.symbol}?tf=${s.tf}`}
                            className="badge bg-surface-2 font-mono text-muted hover:text-text"
                          >
                            {s.symbol} · {s.tf}
                          </Link>
                        ))}
                        {m.series.length > 4 && <span className="badge text-muted">+{m.series.length - 4}</span>}
                      </div>
                    </td>
                    {FIGURE_COLUMNS.map(([key, cls]) => {
                      const tone =
                        key === 'mean_return' || key === 'median_return'
                          ? TONE_CLASS[returnTone(m.metrics?.[key]) ?? 'none']
                          : '';
                      return (
                        <td
                          key={key}
                          className={`td text-right tabular-nums ${cls} ${tone}`}
                          data-metric={key}
                          title={key === 'sharpe' ? sharpeNote(locale, m.metrics) : undefined}
                        >
                          {formatMetric(locale, key, m.metrics)}
                        </td>
                      );
                    })}
                    <td className="td hidden text-right tabular-nums lg:table-cell" data-metric="signals">
                      {formatInt(locale, m.window_signals ?? 0)}
                    </td>
                    <td className="td hidden text-right text-muted lg:table-cell">
                      {m.last_signal_at ? <LocalTime iso={m.last_signal_at} relative /> : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {figuresAsOf && (
            <p className="border-t border-border px-3 py-2 text-xs text-muted" data-testid="row-figures-as-of">
              Median return, max drawdown and Spearman as of <LocalTime iso={figuresAsOf} relative /> (recomputed every
              few minutes); the other figures are as of now.
            </p>
          )}
          <nav
            aria-label="Pagination"
            className="flex items-center justify-between border-t border-border px-3 py-2 text-sm text-muted"
          >
            <span>
              {formatInt(locale, from)}–{formatInt(locale, to)} of {formatInt(locale, total)}
            </span>
            <span className="flex gap-2">
              {page > 1 ? (
                <Link className="btn-secondary" href={href({ page: page - 1 })} rel="prev">
                  Previous
                </Link>
              ) : (
                <span className="btn-secondary opacity-50" aria-disabled="true">
                  Previous
                </span>
              )}
              {to < total ? (
                <Link className="btn-secondary" href={href({ page: page + 1 })} rel="next">
                  Next
                </Link>
              ) : (
                <span className="btn-secondary opacity-50" aria-disabled="true">
                  Next
                </span>
              )}
            </span>
          </nav>
          {result.data.every((m) => !m.metrics || m.metrics.scored === 0) && (
            <p className="border-t border-border px-4 py-3 text-sm text-muted" data-testid="marketplace-no-figures">
              No call of these models has been scored in this window that you may see yet, hence the dashes: the figures
              count live calls only, and another vendor’s only after the platform’s delay unless you subscribe. Each
              model’s page shows its backfilled history apart.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
