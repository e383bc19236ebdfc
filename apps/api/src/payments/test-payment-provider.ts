// The provider of tests and local runs: it keeps what it was asked in memory (subscriptions, charges) and builds
// webhook deliveries signed exactly as Stripe signs them, so the webhook route is exercised end to end.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type PaymentEvent,
  type PaymentProvider,
  signWebhook,
  verifyWebhookSignature,
  WebhookSignatureError,
} from './payment-provider';

// The part of a Stripe event this provider emits and reads: `data.object` holds the subscription, invoice or charge.
const EventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.number().int().nonnegative(),
  data: z.object({
    object: z.object({
      id: z.string().min(1).max(255),
      subscription: z.string().min(1).max(255).optional(),
      amount_paid: z.number().int().positive().optional(),
      amount_refunded: z.number().int().positive().optional(),
      refunds: z.object({ data: z.array(z.object({ id: z.string().min(1).max(255) })).min(1) }).optional(),
    }),
  }),
});

export interface TestPaymentProvider extends PaymentProvider {
  readonly subscriptions: Map<string, { customer: string; pricePence: number; cancelled: boolean }>;
  /** A delivery as Stripe would POST it: the raw JSON body and its Stripe-Signature header. */
  deliver(event: Record<string, unknown>, nowMs: number): { body: string; signature: string };
}

export function createTestPaymentProvider(options: { webhookSecret: string }): TestPaymentProvider {
  const subscriptions = new Map<string, { customer: string; pricePence: number; cancelled: boolean }>();
  return {
    name: 'test',
    subscriptions,
    async createSubscription({ customer, pricePence }) {
      const providerRef = `sub_test_${randomUUID().replaceAll('-', '')}`;
      subscriptions.set(providerRef, { customer, pricePence, cancelled: false });
      return { providerRef };
    },
    async cancelSubscription(providerRef) {
      const s = subscriptions.get(providerRef);
      if (s) s.cancelled = true;
    },
    parseWebhook(rawBody, header, nowMs): PaymentEvent {
      verifyWebhookSignature(rawBody, header, options.webhookSecret, nowMs);
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new WebhookSignatureError('the body is not JSON');
      }
      const e = EventSchema.parse(json);
      const o = e.data.object;
      const base = { id: e.id, createdMs: e.created * 1000 };
      if (e.type === 'invoice.paid' && o.subscription && o.amount_paid) {
        return {
          ...base,
          type: 'invoice.paid',
          subscriptionRef: o.subscription,
          chargeRef: o.id,
          amountPence: o.amount_paid,
        };
      }
      const refund = o.refunds?.data[0];
      if (e.type === 'charge.refunded' && o.subscription && o.amount_refunded && refund) {
        return {
          ...base,
          type: 'charge.refunded',
          subscriptionRef: o.subscription,
          refundRef: refund.id,
          amountPence: o.amount_refunded,
        };
      }
      if (e.type === 'customer.subscription.deleted') {
        return { ...base, type: 'customer.subscription.deleted', subscriptionRef: o.id };
      }
      return { ...base, type: 'other', providerType: e.type };
    },
    deliver(event, nowMs) {
      const body = JSON.stringify(event);
      return { body, signature: signWebhook(body, options.webhookSecret, Math.floor(nowMs / 1000)) };
    },
  };
}
