// Subscriptions as the web shows them: a model's monthly price, the viewer's active subscription to a model, and the
// api's refusal turned into a sentence. Pure (no clock, no fetch).
import type { Subscription } from '@neuronetiq/contracts';
import { formatPence } from './revenue';

/** A model's monthly price: "Free" for 0 or never priced, else GBP per month ("£9.99 / month"). */
export function formatMonthlyPrice(locale: string, pence: number | null | undefined): string {
  if (pence === null || pence === undefined || pence === 0) return 'Free';
  return `${formatPence(locale, pence)} / month`;
}

/** The viewer's active subscription to `owner/modelId` among `subs` (which also hold those to the viewer's models). */
export function activeSubscription(
  subs: readonly Subscription[],
  subscriber: string,
  owner: string,
  modelId: string,
): Subscription | undefined {
  return subs.find(
    (s) => s.subscriber === subscriber && s.owner === owner && s.model_id === modelId && s.ended_at === null,
  );
}

/** The viewer's own subscriptions, active first, each group newest first. */
export function mySubscriptions(subs: readonly Subscription[], subscriber: string): Subscription[] {
  return subs
    .filter((s) => s.subscriber === subscriber)
    .sort(
      (a, b) => Number(a.ended_at !== null) - Number(b.ended_at !== null) || b.started_at.localeCompare(a.started_at),
    );
}

/**
 * What a person is told when the api refuses a subscription change: its own message for a 4xx (already subscribed,
 * private or unknown model, …), a plain sentence for anything else (the payment provider failing, the api down).
 */
export function subscriptionFailure(status: number | null, apiMessage: string | null): string {
  if (status === 401) return 'Your session ended. Sign in again.';
  if (status !== null && status >= 400 && status < 500 && apiMessage) return apiMessage;
  return 'The subscription could not be changed: the payment provider or the service did not answer. Nothing was charged; try again.';
}
