import { MonthSchema, type RevenueStatement } from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Stat } from '../../../../components/stat';
import { formatPercent } from '../../../../lib/format';
import { formatPence, monthName, monthOf, shiftMonth } from '../../../../lib/revenue';
import { ApiError, api } from '../../../../server/api';
import { getLocale } from '../../../../server/locale';
import { requireViewer } from '../../../../server/viewer';

export const metadata: Metadata = { title: 'Revenue' };

type Lines = RevenueStatement['lines'];

/**
 * The signed-in vendor's monthly statement (`GET /api/vendor/revenue`, which reads the owner from the viewer's token:
 * no parameter here can name another vendor). Plain links and a GET form pick the month, so it works without JS.
 */
export default async function RevenuePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const asked = typeof params.month === 'string' ? params.month : undefined;
  const viewer = await requireViewer(
    `/marketplace/vendor/revenue${asked ? `?month=${encodeURIComponent(asked)}` : ''}`,
  );
  const locale = await getLocale();
  const current = monthOf(Date.now());
  const parsed = MonthSchema.safeParse(asked ?? current);
  const month = parsed.success ? parsed.data : current;

  let statement: RevenueStatement | null = null;
  let closed = false;
  let problem: string | null = parsed.success ? null : `"${asked}" is not a month: month must be YYYY-MM.`;
  if (!problem) {
    try {
      const res = await api<{ data: RevenueStatement; closed: boolean }>(viewer, '/api/vendor/revenue', {
        query: { month },
      });
      statement = res.data;
      closed = res.closed;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      problem = err.body?.message ?? `the statement could not be read (${err.status})`;
    }
  }
  const previous = shiftMonth(month, -1);
  const next = shiftMonth(month, 1);
  const pounds = (pence: number) => formatPence(locale, pence);
  const subscriptions = statement?.lines.filter((l) => l.kind === 'subscription') ?? [];
  const adjustments = statement?.lines.filter((l) => l.kind !== 'subscription') ?? [];

  return (
    <div className="space-y-6">
      <header className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <p className="text-sm text-muted">
            <Link href="/marketplace/vendor" className="text-accent hover:underline">
              Vendor dashboard
            </Link>{' '}
            / Revenue
          </p>
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="revenue-month">
            Revenue · {monthName(locale, month)}
          </h1>
          <p className="text-sm text-muted">
            Owner <strong className="font-mono text-text">{viewer.owner}</strong>
            {statement && (
              <>
                {' · '}
                <span data-testid="revenue-state">
                  {closed ? 'Closed: final, never changes' : 'Open: changes until the month ends'}
                </span>
                {' · '}platform fee {formatPercent(locale, statement.platform_fee_bps / 10_000, 2)}
              </>
            )}
          </p>
        </div>
        <nav aria-label="Month" className="flex flex-wrap items-center gap-2 text-sm">
          <Link href={`/marketplace/vendor/revenue?month=${previous}`} className="btn-secondary h-9 px-3" rel="prev">
            ← {monthName(locale, previous)}
          </Link>
          {next <= current && (
            <Link href={`/marketplace/vendor/revenue?month=${next}`} className="btn-secondary h-9 px-3" rel="next">
              {monthName(locale, next)} →
            </Link>
          )}
          <form action="/marketplace/vendor/revenue" method="get" className="flex items-center gap-1">
            <label htmlFor="revenue-month-input" className="sr-only">
              Month
            </label>
            <input
              id="revenue-month-input"
              type="month"
              name="month"
              defaultValue={month}
              max={current}
              className="input h-9 w-auto"
            />
            <button type="submit" className="btn-secondary h-9 px-3">
              Show
            </button>
          </form>
        </nav>
      </header>

      {problem && (
        <p role="alert" className="card border-sell p-4 text-sm text-sell">
          {problem}
        </p>
      )}

      {statement && (
        <>
          <dl className="grid gap-3 sm:grid-cols-3">
            <Stat label="Gross" value={<span data-testid="revenue-gross">{pounds(statement.gross_pence)}</span>} />
            <Stat
              label="Platform fee"
              value={<span data-testid="revenue-fee">{pounds(statement.fee_pence)}</span>}
              hint={formatPercent(locale, statement.platform_fee_bps / 10_000, 2)}
            />
            <Stat
              label="Your share"
              value={<span data-testid="revenue-vendor">{pounds(statement.vendor_pence)}</span>}
              tone={statement.vendor_pence > 0 ? 'buy' : statement.vendor_pence < 0 ? 'sell' : undefined}
            />
          </dl>

          <section className="card overflow-hidden" aria-labelledby="revenue-lines-title">
            <div className="flex items-center justify-between border-b border-border px-4 py-2.5">
              <h2 id="revenue-lines-title" className="text-sm font-medium">
                Subscriptions ({subscriptions.length})
              </h2>
              <a
                href={`/marketplace/vendor/revenue/csv?month=${month}`}
                download
                className="text-sm text-accent hover:underline"
              >
                Download CSV
              </a>
            </div>
            {subscriptions.length === 0 ? (
              <p className="p-4 text-sm text-muted">No subscribers in {monthName(locale, month)}.</p>
            ) : (
              <LinesTable
                caption="Subscription lines"
                lines={subscriptions}
                pounds={pounds}
                days={statement.days_in_month}
              />
            )}
          </section>

          <section className="card overflow-hidden" aria-labelledby="revenue-adjustments-title">
            <h2 id="revenue-adjustments-title" className="border-b border-border px-4 py-2.5 text-sm font-medium">
              Adjustments ({adjustments.length})
            </h2>
            {adjustments.length === 0 ? (
              <p className="p-4 text-sm text-muted">No refunds or other adjustments.</p>
            ) : (
              <LinesTable caption="Adjustments" lines={adjustments} pounds={pounds} days={statement.days_in_month} />
            )}
          </section>

          <p className="text-xs text-muted">
            Each fee is the model's monthly price prorated by the UTC days the subscription was active and paid out of
            the {statement.days_in_month} days of the month (days while a renewal payment had failed are not billed);
            the platform fee is spread over the lines so that every line's fee and share add up to its gross, and the
            lines to the totals, to the penny.
          </p>
        </>
      )}
    </div>
  );
}

function LinesTable({
  caption,
  lines,
  pounds,
  days,
}: {
  caption: string;
  lines: Lines;
  pounds: (pence: number) => string;
  days: number;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="overflow-x-auto" tabIndex={0} aria-label={caption}>
      <table className="w-full">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="th">
              Model
            </th>
            <th scope="col" className="th">
              Subscriber
            </th>
            <th scope="col" className="th text-right">
              Active days
            </th>
            <th scope="col" className="th text-right">
              Gross
            </th>
            <th scope="col" className="th text-right">
              Platform fee
            </th>
            <th scope="col" className="th text-right">
              Your share
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {lines.map((l) => (
            <tr key={`${l.kind}:${l.ref}`} data-testid="revenue-line">
              <td className="td font-mono text-xs">
                {l.model_id}
                {l.kind !== 'subscription' && <span className="ml-2 badge bg-surface-2 px-1.5">{l.kind}</span>}
              </td>
              <td className="td font-mono text-xs">{l.subscriber}</td>
              <td className="td text-right tabular-nums">
                {l.kind === 'subscription' ? `${l.active_days} / ${days}` : '—'}
              </td>
              <td className="td text-right tabular-nums">{pounds(l.gross_pence)}</td>
              <td className="td text-right tabular-nums">{pounds(l.fee_pence)}</td>
              <td className="td text-right tabular-nums">{pounds(l.vendor_pence)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
