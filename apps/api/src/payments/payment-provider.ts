// Payments go through a PaymentProvider. Its shape follows Stripe's subscription API and webhooks, so that a Stripe
// adapter is a drop-in: a subscription is created and cancelled at the provider, and the provider reports what
// happened through signed webhook events (`Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`),
// which may arrive more than once and out of order. No card is ever processed here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeclineCode } from '@neuronetiq/contracts';

/** The events the platform acts on (Stripe's names); any other type is acknowledged and ignored. */
export type PaymentEvent =
  | {
      id: string;
      type: 'invoice.paid';
      createdMs: number;
      subscriptionRef: string;
      chargeRef: string;
      amountPence: number;
    }
  | {
      id: string;
      /** A renewal's payment failed: the subscription is past_due until an invoice is paid. */
      type: 'invoice.payment_failed';
      createdMs: number;
      subscriptionRef: string;
      invoiceRef: string;
      amountPence: number;
    }
  | {
      id: string;
      type: 'charge.refunded';
      createdMs: number;
      subscriptionRef: string;
      refundRef: string;
      amountPence: number;
    }
  | { id: string; type: 'customer.subscription.deleted'; createdMs: number; subscriptionRef: string }
  | { id: string; type: 'other'; createdMs: number; providerType: string };

export interface PaymentProvider {
  readonly name: string;
  /**
   * Starts monthly billing of `pricePence` (GBP) for a subscription and takes its first payment at once; returns the
   * provider's id of it. A declined first payment throws PaymentDeclinedError and leaves nothing at the provider
   * (Stripe's `payment_behavior: 'error_if_incomplete'`). `paymentMethod` absent: the customer's default one. A free
   * subscription (0p) charges nothing and so is never declined.
   */
  createSubscription(input: {
    subscriptionKey: string;
    customer: string;
    pricePence: number;
    paymentMethod?: string | undefined;
  }): Promise<{ providerRef: string }>;
  cancelSubscription(providerRef: string): Promise<void>;
  /**
   * Pays the subscription's open (failed) invoice now (Stripe: `invoices.pay`), with `paymentMethod` when given (it
   * becomes the subscription's card). Throws PaymentDeclinedError when declined again; `paid: false` when nothing was
   * owed. The provider still reports the payment by webhook (`invoice.paid`).
   */
  payOpenInvoice(input: { providerRef: string; paymentMethod?: string | undefined }): Promise<{ paid: boolean }>;
  /** Verifies the signature of a webhook delivery and parses its event; throws WebhookSignatureError otherwise. */
  parseWebhook(rawBody: string, signatureHeader: string | undefined, nowMs: number): PaymentEvent;
}

export class WebhookSignatureError extends Error {}

/** The provider refused the payment (Stripe: a `card_error`, HTTP 402); `amountPence` is what was asked. */
export class PaymentDeclinedError extends Error {
  constructor(
    readonly declineCode: DeclineCode,
    readonly amountPence: number,
  ) {
    super(`the payment of ${amountPence}p was declined: ${declineCode}`);
    this.name = 'PaymentDeclinedError';
  }
}

/** Stripe's default tolerance for the signed timestamp: older deliveries are replays. */
export const WEBHOOK_TOLERANCE_S = 300;

export function signWebhook(rawBody: string, secret: string, timestampS: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/** Checks a `t=…,v1=…` header against the raw body: any v1 may match (secret rotation), in constant time. */
export function verifyWebhookSignature(rawBody: string, header: string | undefined, secret: string, nowMs: number) {
  if (!header) throw new WebhookSignatureError('the Stripe-Signature header is missing');
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (!Number.isSafeInteger(t) || signatures.length === 0) {
    throw new WebhookSignatureError('the Stripe-Signature header must hold t=<unix seconds> and v1=<hex>');
  }
  if (Math.abs(nowMs / 1000 - t) > WEBHOOK_TOLERANCE_S) {
    throw new WebhookSignatureError(`the signed timestamp is more than ${WEBHOOK_TOLERANCE_S} s from now`);
  }
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const ok = signatures.some((s) => {
    const got = Buffer.from(s);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!ok) throw new WebhookSignatureError('no v1 signature matches the body');
}
