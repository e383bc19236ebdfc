'use client';
import { useActionState, useId, useState } from 'react';
import {
  cancelSubscription,
  payOpenInvoice,
  type SubscriptionFormState,
  subscribe,
} from '../app/marketplace/subscriptions/actions';
import { TEST_CARDS } from '../lib/subscriptions';
import { LocalTime } from './local-time';

const initial: SubscriptionFormState = { ok: false, message: null };

function Message({ state, id }: { state: SubscriptionFormState; id?: string }) {
  if (!state.message) return null;
  return (
    <p
      id={id}
      role={state.ok ? 'status' : 'alert'}
      className={`text-sm ${state.ok ? 'text-buy' : 'text-sell'}`}
      data-testid="subscription-message"
    >
      {state.message}
    </p>
  );
}

/**
 * The card to pay with: the test provider's cards (no real card is processed). After a decline it is marked invalid
 * and described by the message that says why, so a screen reader lands on what to change.
 */
function CardSelect({ state, messageId }: { state: SubscriptionFormState; messageId: string }) {
  const id = useId();
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <label htmlFor={id}>Card</label>
      <select
        id={id}
        name="payment_method"
        className="input h-8 w-auto"
        defaultValue={TEST_CARDS[0].id}
        aria-invalid={state.declined ? true : undefined}
        aria-describedby={state.declined ? messageId : undefined}
      >
        {TEST_CARDS.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
      <span className="text-xs text-muted">Test mode: no real card is charged.</span>
    </div>
  );
}

/**
 * Subscribe to a model: a card (for a priced model) and one button; the api's refusal (already subscribed, private,
 * a declined card) shows as a message.
 */
export function SubscribeForm({
  owner,
  modelId,
  price,
  charged,
}: {
  owner: string;
  modelId: string;
  price: string;
  /** A priced model: the first month's payment is taken at once, so a card is chosen. */
  charged: boolean;
}) {
  const [state, action, pending] = useActionState(subscribe, initial);
  const messageId = useId();
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="owner" value={owner} />
      <input type="hidden" name="model_id" value={modelId} />
      {charged && <CardSelect state={state} messageId={messageId} />}
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? 'Subscribing…' : 'Subscribe'}
      </button>
      <span className="ml-2 text-xs text-muted">{price}, billed by the days you are subscribed</span>
      <Message state={state} id={messageId} />
    </form>
  );
}

/**
 * A subscription's payment state: when past_due, what happened, what it means and what to do, with a card choice and
 * "Pay now"; once paid, the confirmation stays (the page re-renders without the notice, this keeps its state).
 */
export function PaymentDuePanel({
  id,
  label,
  pastDueSince,
  advice,
}: {
  id: string;
  label: string;
  /** null: in good standing (nothing shown but a payment just made here). */
  pastDueSince: string | null;
  advice: string;
}) {
  const [state, action, pending] = useActionState(payOpenInvoice, initial);
  const messageId = useId();
  if (pastDueSince === null) return state.ok ? <Message state={state} id={messageId} /> : null;
  return (
    <div className="space-y-2">
      <div className="space-y-1 text-sm" data-testid="past-due-notice">
        <p>
          <span className="badge bg-sell/15 text-sell">Payment failed</span> on <LocalTime iso={pastDueSince} />
        </p>
        <p className="text-muted">{advice}</p>
      </div>
      <form action={action} className="space-y-2">
        <input type="hidden" name="id" value={id} />
        <CardSelect state={state} messageId={messageId} />
        <button type="submit" className="btn-primary h-8 px-3" disabled={pending} aria-label={`Pay now for ${label}`}>
          {pending ? 'Paying…' : 'Pay now'}
        </button>
        <Message state={state} id={messageId} />
      </form>
    </div>
  );
}

/**
 * Cancel a subscription, in two steps: "Cancel subscription" asks, "Yes, cancel" does it (a mis-click costs nothing).
 * `label` names the model for screen readers where several are listed.
 */
export function CancelSubscriptionForm({ id, label }: { id: string; label: string }) {
  const [state, action, pending] = useActionState(cancelSubscription, initial);
  const [asking, setAsking] = useState(false);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="id" value={id} />
      {asking ? (
        <fieldset className="flex flex-wrap items-center gap-2">
          <legend className="sr-only">Confirm cancelling {label}</legend>
          <span className="text-sm">Cancel now? Live signals stop at once; the days so far stay billed.</span>
          <button type="submit" className="btn-secondary h-8 px-3" disabled={pending}>
            {pending ? 'Cancelling…' : 'Yes, cancel'}
          </button>
          <button type="button" className="btn-secondary h-8 px-3" onClick={() => setAsking(false)} disabled={pending}>
            Keep subscription
          </button>
        </fieldset>
      ) : (
        <button
          type="button"
          className="btn-secondary h-8 px-3"
          aria-label={`Cancel subscription to ${label}`}
          onClick={() => setAsking(true)}
        >
          Cancel subscription
        </button>
      )}
      <Message state={state} />
    </form>
  );
}

/** "Subscribed since …" in the viewer's time zone. */
export function SubscribedSince({ iso }: { iso: string }) {
  return (
    <p className="text-sm" data-testid="subscribed-since">
      <strong>Subscribed</strong> since <LocalTime iso={iso} />
    </p>
  );
}
