// The provider of tests and local runs: it keeps what it was asked in memory (subscriptions, charges) and builds
// webhook deliveries signed exactly as Stripe signs them, so the webhook route is exercised end to end. Payments are
// decided by the payment method's id, deterministically, like Stripe's test mode: the ids Stripe documents as declining
// decline with Stripe's reason; any other id pays. No card is ever processed.
import { randomUUID } from 'node:crypto';
import { type DeclineCode, PRICE_PENCE_MAX } from '@neuronetiq/contracts';
import { z } from 'zod';
import {
  PaymentDeclinedError,
  type PaymentEvent,
  type PaymentProvider,
  signWebhook,
  verifyWebhookSignature,
  WebhookSignatureError,
} from './payment-provider';

/** Stripe's test payment methods and tokens that decline, with the reason Stripe gives (docs.stripe.com/testing). */
export const DECLINING_TEST_PAYMENT_METHODS: Readonly<Record<string, DeclineCode>> = {
  pm_card_chargeDeclined: 'card_declined',
  tok_chargeDeclined: 'card_declined',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
  tok_chargeDeclinedInsufficientFunds: 'insufficient_funds',
  pm_card_chargeDeclinedExpiredCard: 'expired_card',
  tok_chargeDeclinedExpiredCard: 'expired_card',
};
/** The customer's default payment method when a subscribe names none: Stripe's test Visa, which always pays. */
export const DEFAULT_TEST_PAYMENT_METHOD = 'pm_card_visa';

/** One payment the provider attempted: `succeeded` moved money, `failed` did not. */
export interface TestCharge {
  customer: string;
  /** null for the first payment of a subscribe that was declined (no subscription was made). */
  subscriptionRef: string | null;
  invoiceRef: string;
  amountPence: number;
  paymentMethod: string;
  status: 'succeeded' | 'failed';
  declineCode: DeclineCode | null;
}

interface TestSubscription {
  customer: string;
  pricePence: number;
  cancelled: boolean;
  paymentMethod: string;
  /** The invoice whose payment failed and is still owed. */
  openInvoice: { id: string; amountPence: number } | null;
}

// A provider's id or event type: Stripe's are short printable ASCII (`evt_…`, `in_…`, `invoice.paid`). Anything else
// (a NUL byte, a lone surrogate, a huge string) is refused here, before it reaches a query (PostgreSQL refuses NUL in
// text: that was a 500, even when signed).
const ProviderIdSchema = z.string().regex(/^[!-~]{1,255}$/);

// The part of a Stripe event this provider emits and reads: `data.object` holds the subscription, invoice or charge.
const EventSchema = z.object({
  id: ProviderIdSchema,
  type: ProviderIdSchema,
  created: z.number().int().nonnegative(),
  data: z.object({
    object: z.object({
      id: ProviderIdSchema,
      subscription: ProviderIdSchema.optional(),
      // Pence, at most the largest monthly price (the columns are 32-bit integers).
      amount_paid: z.number().int().positive().max(PRICE_PENCE_MAX).optional(),
      amount_due: z.number().int().nonnegative().max(PRICE_PENCE_MAX).optional(),
      amount_refunded: z.number().int().positive().max(PRICE_PENCE_MAX).optional(),
      refunds: z.object({ data: z.array(z.object({ id: ProviderIdSchema })).min(1) }).optional(),
    }),
  }),
});

export interface TestPaymentProvider extends PaymentProvider {
  readonly subscriptions: Map<string, TestSubscription>;
  /** Every payment attempted, in order. */
  readonly charges: TestCharge[];
  /** A delivery as Stripe would POST it: the raw JSON body and its Stripe-Signature header. */
  deliver(event: Record<string, unknown>, nowMs: number): { body: string; signature: string };
  /** The customer's card changes at the provider (say, it expires): renewals are charged to `paymentMethod`. */
  setPaymentMethod(providerRef: string, paymentMethod: string): void;
  /**
   * The monthly renewal at `nowMs`: charges the subscription's card and returns the event Stripe would send,
   * `invoice.paid` or `invoice.payment_failed` (then the invoice stays open), as a signed delivery.
   */
  renew(providerRef: string, nowMs: number): { body: string; signature: string; paid: boolean; eventId: string };
}

const newId = (prefix: string) => `${prefix}_test_${randomUUID().replaceAll('-', '')}`;

export function createTestPaymentProvider(options: { webhookSecret: string }): TestPaymentProvider {
  const subscriptions = new Map<string, TestSubscription>();
  const charges: TestCharge[] = [];
  /** Attempts one payment and records it; the decline code, or null when it paid. */
  const charge = (c: Omit<TestCharge, 'status' | 'declineCode'>): DeclineCode | null => {
    const declineCode = DECLINING_TEST_PAYMENT_METHODS[c.paymentMethod] ?? null;
    charges.push({ ...c, status: declineCode ? 'failed' : 'succeeded', declineCode });
    return declineCode;
  };
  /** Charges a subscription's invoice to its card. */
  const chargeInvoice = (providerRef: string, s: TestSubscription, invoice: { id: string; amountPence: number }) =>
    charge({
      customer: s.customer,
      subscriptionRef: providerRef,
      invoiceRef: invoice.id,
      amountPence: invoice.amountPence,
      paymentMethod: s.paymentMethod,
    });
  const deliver = (event: Record<string, unknown>, nowMs: number) => {
    const body = JSON.stringify(event);
    return { body, signature: signWebhook(body, options.webhookSecret, Math.floor(nowMs / 1000)) };
  };
  const subscription = (providerRef: string): TestSubscription => {
    const s = subscriptions.get(providerRef);
    if (!s) throw new Error(`no test subscription "${providerRef}"`);
    return s;
  };
  return {
    name: 'test',
    subscriptions,
    charges,
    async createSubscription({ customer, pricePence, paymentMethod = DEFAULT_TEST_PAYMENT_METHOD }) {
      const providerRef = newId('sub');
      if (pricePence > 0) {
        const declined = charge({
          customer,
          subscriptionRef: null,
          invoiceRef: newId('in'),
          amountPence: pricePence,
          paymentMethod,
        });
        if (declined) throw new PaymentDeclinedError(declined, pricePence);
        (charges.at(-1) as TestCharge).subscriptionRef = providerRef;
      }
      subscriptions.set(providerRef, { customer, pricePence, cancelled: false, paymentMethod, openInvoice: null });
      return { providerRef };
    },
    async cancelSubscription(providerRef) {
      const s = subscriptions.get(providerRef);
      if (s) s.cancelled = true;
    },
    async payOpenInvoice({ providerRef, paymentMethod }) {
      const s = subscription(providerRef);
      if (paymentMethod) s.paymentMethod = paymentMethod;
      const invoice = s.openInvoice;
      if (!invoice || s.cancelled) return { paid: false };
      const declined = chargeInvoice(providerRef, s, invoice);
      if (declined) throw new PaymentDeclinedError(declined, invoice.amountPence);
      s.openInvoice = null;
      return { paid: true };
    },
    setPaymentMethod(providerRef, paymentMethod) {
      subscription(providerRef).paymentMethod = paymentMethod;
    },
    renew(providerRef, nowMs) {
      const s = subscription(providerRef);
      const invoice = { id: newId('in'), amountPence: s.pricePence };
      const declined = chargeInvoice(providerRef, s, invoice);
      if (declined) s.openInvoice = invoice;
      const eventId = newId('evt');
      const object = declined
        ? { id: invoice.id, subscription: providerRef, amount_due: invoice.amountPence }
        : { id: invoice.id, subscription: providerRef, amount_paid: invoice.amountPence };
      const type = declined ? 'invoice.payment_failed' : 'invoice.paid';
      const event = { id: eventId, type, created: Math.floor(nowMs / 1000), data: { object } };
      return { ...deliver(event, nowMs), paid: !declined, eventId };
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
      if (e.type === 'invoice.payment_failed' && o.subscription && o.amount_due !== undefined) {
        return {
          ...base,
          type: 'invoice.payment_failed',
          subscriptionRef: o.subscription,
          invoiceRef: o.id,
          amountPence: o.amount_due,
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
    deliver,
  };
}
