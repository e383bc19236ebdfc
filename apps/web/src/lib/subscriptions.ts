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
 * The cards a person can pay with while the platform runs on its test payment provider (no real card is processed):
 * Stripe's test payment methods, one that pays and one for each decline reason, so the whole flow can be tried.
 */
export const TEST_CARDS = [
  { id: 'pm_card_visa', label: 'Visa ending 4242 (pays)' },
  { id: 'pm_card_chargeDeclined', label: 'Card that is declined' },
  { id: 'pm_card_chargeDeclinedInsufficientFunds', label: 'Card with insufficient funds' },
  { id: 'pm_card_chargeDeclinedExpiredCard', label: 'Expired card' },
] as const;

/** What a past-due subscriber is told: what happened, what it means, and what to do (docs/revenue.md). */
export function pastDueAdvice(delay?: string): string {
  return `The renewal payment failed, so live signals are paused: you see them ${delay ? `${delay} late` : 'delayed'}, like a non-subscriber, and these days are not billed. Your card is retried automatically; pay now with a card that works to read live again at once, or cancel.`;
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
