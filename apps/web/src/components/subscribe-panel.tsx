'use client';
import { useActionState, useState } from 'react';
import { cancelSubscription, type SubscriptionFormState, subscribe } from '../app/marketplace/subscriptions/actions';
import { LocalTime } from './local-time';

const initial: SubscriptionFormState = { ok: false, message: null };

function Message({ state }: { state: SubscriptionFormState }) {
  if (!state.message) return null;
  return (
    <p
      role={state.ok ? 'status' : 'alert'}
      className={`text-sm ${state.ok ? 'text-buy' : 'text-sell'}`}
      data-testid="subscription-message"
    >
      {state.message}
    </p>
  );
}

/** Subscribe to a model: one button; the api's refusal (already subscribed, private, payment) shows as a message. */
export function SubscribeForm({ owner, modelId, price }: { owner: string; modelId: string; price: string }) {
  const [state, action, pending] = useActionState(subscribe, initial);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="owner" value={owner} />
      <input type="hidden" name="model_id" value={modelId} />
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? 'Subscribing…' : 'Subscribe'}
      </button>
      <span className="ml-2 text-xs text-muted">{price}, billed by the days you are subscribed</span>
      <Message state={state} />
    </form>
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
