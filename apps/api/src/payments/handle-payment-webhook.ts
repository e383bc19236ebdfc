import { repos } from '@neuronetiq/db';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { WebhookSignatureError } from './payment-provider';

const SERVICE = { role: 'service_role', claims: {} } as const;

/**
 * One webhook delivery of the payment provider: verified (signature over timestamp and raw body), then handled once
 * per event id in one transaction with its effects (a redelivery is acknowledged and changes nothing): a paid invoice
 * records a charge and ends a past_due stretch, a failed renewal payment starts one (live reading and billing pause),
 * a refund records a refund (counted in its month's statement), a deleted subscription ends it. Status changes follow
 * the provider's event time, so an event older than the last one applied changes no status (docs/revenue.md). A payment
 * whose month is already closed for the vendor (a late refund, say) is booked at its receipt instead, in the running
 * month, as an adjustment: a closed statement never changes (docs/revenue.md).
 */
export async function handlePaymentWebhook(
  deps: ApiDeps,
  req: { rawBody: string; signature: string | undefined },
): Promise<{ handled: boolean; type: string }> {
  let event: ReturnType<ApiDeps['payments']['parseWebhook']>;
  try {
    event = deps.payments.parseWebhook(req.rawBody, req.signature, deps.now());
  } catch (err) {
    if (err instanceof WebhookSignatureError) {
      throw new AppError('UNAUTHENTICATED', { message: `webhook refused: ${err.message}`, cause: err });
    }
    throw new AppError('VALIDATION_ERROR', {
      message: 'the webhook event does not have the shape of a payment event',
      details: [{ path: 'body', message: 'expected an event with id, type, created and data.object' }],
      cause: err,
    });
  }
  const provider = deps.payments.name;
  const type = event.type === 'other' ? event.providerType : event.type;
  const handled = await deps.db.asRequest(SERVICE, async (tx) => {
    if (!(await repos.subscriptions.claimEvent(tx, provider, event.id, type))) return false;
    if (event.type === 'other') return true;
    const sub = await repos.subscriptions.findByProviderRef(tx, provider, event.subscriptionRef);
    if (!sub) {
      throw new AppError('NOT_FOUND', {
        message: `no subscription "${event.subscriptionRef}" of provider "${provider}"`,
      });
    }
    const bookedMs = (await repos.subscriptions.monthClosed(tx, sub.owner, event.createdMs))
      ? deps.now()
      : event.createdMs;
    if (event.type === 'customer.subscription.deleted') {
      await repos.subscriptions.end(tx, { id: sub.id }, event.createdMs);
    } else if (event.type === 'invoice.payment_failed') {
      await repos.subscriptions.markPastDue(tx, {
        id: sub.id,
        atMs: event.createdMs,
        invoiceRef: event.invoiceRef,
      });
    } else if (event.type === 'invoice.paid') {
      await repos.subscriptions.recordPayment(tx, {
        subscriptionId: sub.id,
        kind: 'charge',
        amountPence: event.amountPence,
        atMs: bookedMs,
        providerRef: event.chargeRef,
      });
      await repos.subscriptions.markPaid(tx, { id: sub.id, atMs: event.createdMs });
    } else {
      await repos.subscriptions.recordPayment(tx, {
        subscriptionId: sub.id,
        kind: 'refund',
        amountPence: event.amountPence,
        atMs: bookedMs,
        providerRef: event.refundRef,
      });
    }
    return true;
  });
  return { handled, type };
}
