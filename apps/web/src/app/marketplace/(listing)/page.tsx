import {
  MARKETPLACE_SORTS,
  MarketplaceModelsQuerySchema,
  type MarketplaceModelsResponse,
  TIMEFRAMES,
} from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { LocalTime } from '../../../components/local-time';
import { VendorAttribution } from '../../../components/vendor';
import { formatInt, formatPercent, formatReturn, returnTone } from '../../../lib/format';
import { api } from '../../../server/api';
import { getLocale } from '../../../server/locale';
import { getViewer } from '../../../server/viewer';

export const metadata: Metadata = { title: 'Marketplace' };

type SearchParams = Record<string, string | string[] | undefined>;
const SORT_LABELS: Record<(typeof MARKETPLACE_SORTS)[number], string> = {
  hit_rate: 'Hit rate',
  mean_return: 'Avg return',
  resolved: 'Resolved calls',
  signal_count: 'Signals',
  last_signal_at: 'Last signal',
  name: 'Name',
};

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
    tf: first(params.tf) || undefined,
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
  const href = (over: Record<string, string | number | undefined>) => {
    const p = new URLSearchParams();
    const merged = { sort: query.sort, order: query.order, q: query.q, symbol: query.symbol, tf: query.tf, ...over };
    for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '') p.set(k, String(v));
    return `/marketplace?${p}`;
  };
  const sortHeader = (key: (typeof MARKETPLACE_SORTS)[number], label: string, className = '') => {
    const active = query.sort === key;
    const nextOrder = active && query.order === 'desc' ? 'asc' : 'desc';
    return (
      <th
        scope="col"
        className={`th ${className}`}
        aria-sort={active ? (query.order === 'desc' ? 'descending' : 'ascending') : 'none'}
      >
        <Link href={href({ sort: key, order: nextOrder, page: undefined })} className="hover:text-text">
          {label}
          {active && <span aria-hidden>{query.order === 'desc' ? ' ↓' : ' ↑'}</span>}
        </Link>
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

      <form method="get" action="/marketplace" className="card grid gap-3 p-3 sm:grid-cols-[1fr_auto_auto_auto_auto]">
        <div>
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
        <div>
          <label htmlFor="symbol" className="sr-only">
            Symbol
          </label>
          <input
            id="symbol"
            name="symbol"
            defaultValue={query.symbol ?? ''}
            placeholder="Symbol, e.g. BTCUSDT"
            className="input sm:w-44"
          />
        </div>
        <div>
          <label htmlFor="tf" className="sr-only">
            Timeframe
          </label>
          <select id="tf" name="tf" defaultValue={query.tf ?? ''} className="input sm:w-32">
            <option value="">All timeframes</option>
            {TIMEFRAMES.map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="sort" className="sr-only">
            Sort by
          </label>
          <select id="sort" name="sort" defaultValue={query.sort} className="input sm:w-40">
            {MARKETPLACE_SORTS.map((s) => (
              <option key={s} value={s}>
                Sort: {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <input type="hidden" name="order" value={query.order} />
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
            {query.q || query.symbol || query.tf
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
              <caption className="sr-only">Public models, sorted by {SORT_LABELS[query.sort].toLowerCase()}</caption>
              <thead className="border-b border-border bg-surface-2/60">
                <tr>
                  {sortHeader('name', 'Model')}
                  <th scope="col" className="th">
                    Vendor
                  </th>
                  <th scope="col" className="th hidden md:table-cell">
                    Series
                  </th>
                  {sortHeader('hit_rate', 'Hit rate', 'text-right')}
                  {sortHeader('mean_return', 'Avg return', 'text-right')}
                  {sortHeader('resolved', 'Resolved', 'text-right hidden sm:table-cell')}
                  {sortHeader('signal_count', 'Signals', 'text-right hidden lg:table-cell')}
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
                      <div className="font-mono text-xs text-muted">{m.model_id}</div>
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
                    <td className="td text-right tabular-nums">
                      {formatPercent(locale, m.track_record.hit_rate)}
                      {m.track_record.backfilled && m.track_record.resolved > 0 && (
                        <span
                          className="badge ml-1.5 bg-warn-bg text-warn-fg"
                          title="Scored over backfilled history, not live calls"
                        >
                          backfilled
                        </span>
                      )}
                    </td>
                    <td
                      className={`td text-right tabular-nums ${TONE_CLASS[returnTone(m.track_record.mean_return) ?? 'none']}`}
                    >
                      {formatReturn(locale, m.track_record.mean_return)}
                    </td>
                    <td className="td hidden text-right tabular-nums sm:table-cell">
                      {formatInt(locale, m.track_record.resolved)}
                    </td>
                    <td className="td hidden text-right tabular-nums lg:table-cell">
                      {formatInt(locale, m.signal_count)}
                    </td>
                    <td className="td hidden text-right text-muted lg:table-cell">
                      {m.last_signal_at ? <LocalTime iso={m.last_signal_at} relative /> : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
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
        </div>
      )}
    </div>
  );
}
