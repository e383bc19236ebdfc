import type { Subscription } from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { LocalTime } from '../../../components/local-time';
import { CancelSubscriptionForm, PaymentDuePanel } from '../../../components/subscribe-panel';
import type { Envelope } from '../../../lib/market';
import { mySubscriptions, pastDueAdvice } from '../../../lib/subscriptions';
import { api } from '../../../server/api';
import { requireViewer } from '../../../server/viewer';

export const metadata: Metadata = { title: 'My subscriptions' };

/** The signed-in person's subscriptions (active first), each with its model's page and a cancel button. */
export default async function SubscriptionsPage() {
  const viewer = await requireViewer('/marketplace/subscriptions');
  const subs = mySubscriptions((await api<Envelope<Subscription[]>>(viewer, '/api/subscriptions')).data, viewer.owner);
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/marketplace/vendor" className="hover:text-text">
          Vendor dashboard
        </Link>{' '}
        / <span className="text-text">My subscriptions</span>
      </nav>
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">My subscriptions</h1>
        <p className="mt-1 text-sm text-muted">
          You read these models&apos; signals live; billing counts the days you are subscribed.
        </p>
      </header>
      <section className="card overflow-hidden" aria-labelledby="subs-title">
        <h2 id="subs-title" className="sr-only">
          Subscriptions
        </h2>
        {subs.length === 0 ? (
          <p className="p-6 text-center text-sm text-muted">
            No subscriptions yet.{' '}
            <Link href="/marketplace" className="text-accent underline underline-offset-2">
              Find a model in the marketplace
            </Link>
            .
          </p>
        ) : (
          <ul className="divide-y divide-border">
            {subs.map((s) => (
              <li
                key={s.id}
                className="flex flex-col gap-2 p-4 sm:flex-row sm:items-center sm:justify-between"
                data-testid="subscription-row"
              >
                <div className="text-sm">
                  <Link
                    href={`/marketplace/models/${s.owner}/${s.model_id}`}
                    className="font-medium text-accent underline-offset-2 hover:underline"
                  >
                    {s.owner}/{s.model_id}
                  </Link>
                  <p className="text-muted">
                    Since <LocalTime iso={s.started_at} />
                    {s.ended_at && (
                      <>
                        {' · '}ended <LocalTime iso={s.ended_at} />
                      </>
                    )}
                  </p>
                </div>
                {s.ended_at === null && (
                  <div className="sm:max-w-md">
                    <PaymentDuePanel
                      id={s.id}
                      label={`${s.owner}/${s.model_id}`}
                      pastDueSince={s.past_due_since}
                      advice={pastDueAdvice()}
                    />
                  </div>
                )}
                {s.ended_at === null ? (
                  <CancelSubscriptionForm id={s.id} label={`${s.owner}/${s.model_id}`} />
                ) : (
                  <span className="badge bg-surface-2 text-muted">ended</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
