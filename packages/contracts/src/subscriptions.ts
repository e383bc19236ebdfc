// Subscriptions and revenue (docs/revenue.md): model prices in integer pence, subscribe/cancel, monthly statements.
import { z } from 'zod';
import { SlugSchema } from './primitives';

/** Largest monthly price: £1,000,000.00. */
export const PRICE_PENCE_MAX = 100_000_000;

/** Body of `PUT /api/models/:model_id/price`. */
export const SetPriceSchema = z.strictObject({
  /** Monthly price in GBP pence (0 = free), from the moment it is set. */
  price_pence: z
    .number({ error: `price_pence must be a whole number of pence from 0 to ${PRICE_PENCE_MAX}` })
    .int({ error: `price_pence must be a whole number of pence from 0 to ${PRICE_PENCE_MAX}` })
    .min(0, { error: `price_pence must be a whole number of pence from 0 to ${PRICE_PENCE_MAX}` })
    .max(PRICE_PENCE_MAX, { error: `price_pence must be a whole number of pence from 0 to ${PRICE_PENCE_MAX}` }),
});
export type SetPrice = z.infer<typeof SetPriceSchema>;

const PAYMENT_METHOD_ERROR =
  'payment_method must be a payment method id such as pm_card_visa: "pm_" or "tok_" then 1-96 letters, digits or "_"';
/**
 * A payment method as the provider names it (Stripe's `pm_…` PaymentMethod or `tok_…` token ids, e.g. the test cards
 * `pm_card_visa`, `pm_card_chargeDeclinedInsufficientFunds`). Never card numbers: those go to the provider only.
 */
export const PaymentMethodSchema = z
  .string({ error: PAYMENT_METHOD_ERROR })
  .max(100, { error: PAYMENT_METHOD_ERROR })
  .regex(/^(pm|tok)_[A-Za-z0-9_]{1,96}$/, { error: PAYMENT_METHOD_ERROR });

/**
 * Why a payment was declined (Stripe's error `code`, or its `decline_code` for a generic `card_declined`), with what
 * the person paying should do about it.
 */
export const DECLINE_CODES = ['card_declined', 'insufficient_funds', 'expired_card'] as const;
export type DeclineCode = (typeof DECLINE_CODES)[number];
export const DECLINE_ADVICE: Record<DeclineCode, { reason: string; todo: string }> = {
  card_declined: { reason: 'Your card was declined', todo: 'use another card, or ask your bank why' },
  insufficient_funds: { reason: 'Your card has insufficient funds', todo: 'add funds or use another card' },
  expired_card: { reason: 'Your card has expired', todo: 'use a card that is in date' },
};

/** Body of `POST /api/subscriptions`. */
export const SubscribeSchema = z.strictObject({
  owner: SlugSchema,
  model_id: SlugSchema,
  /** The card to bill; absent: the customer's default payment method at the provider. A free model is never charged. */
  payment_method: PaymentMethodSchema.optional(),
});
export type Subscribe = z.infer<typeof SubscribeSchema>;

/** Body of `POST /api/subscriptions/{id}/pay`: pay a past-due subscription's open invoice now. */
export const PayInvoiceSchema = z.strictObject({
  /** The card to pay with (it becomes the subscription's card); absent: the one that failed, tried again. */
  payment_method: PaymentMethodSchema.optional(),
});
export type PayInvoice = z.infer<typeof PayInvoiceSchema>;

/**
 * Stripe's subscription statuses that the platform uses: `active` (paid: signals live), `past_due` (a renewal payment
 * failed: signals delayed like a non-subscriber's and the days not billed until an invoice is paid), `canceled`.
 */
export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'canceled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const SubscriptionSchema = z.object({
  id: z.string().uuid(),
  /** The subscribing user's owner. */
  subscriber: SlugSchema,
  owner: SlugSchema,
  model_id: SlugSchema,
  /** ISO-8601 UTC; ended_at null while active. */
  started_at: z.string(),
  ended_at: z.string().nullable(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  /** ISO-8601 UTC: when the renewal payment that made it past_due failed; null unless past_due. */
  past_due_since: z.string().nullable(),
  provider: z.string(),
  provider_ref: z.string(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** `YYYY-MM`, a real month from 2000-01 to 9999-12. */
export const MonthSchema = z
  .string({ error: 'month must be YYYY-MM' })
  .regex(/^(2\d{3}|[3-9]\d{3})-(0[1-9]|1[0-2])$/, { error: 'month must be YYYY-MM, a month from 2000-01 to 9999-12' });

/** Query of `GET /api/vendor/revenue`. */
export const RevenueQuerySchema = z.strictObject({
  month: MonthSchema,
  /** json (default) or csv (text/csv, the same bytes every time for a closed month). */
  format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).default('json'),
  /** Only the service principal may ask for another owner's statement. */
  owner: SlugSchema.optional(),
});
export type RevenueQuery = z.infer<typeof RevenueQuerySchema>;

export const StatementLineSchema = z.object({
  kind: z.enum(['subscription', 'refund']),
  /** The subscription's id, or the refund's. */
  ref: z.string(),
  subscription_id: z.string(),
  subscriber: z.string(),
  model_id: z.string(),
  /** UTC days of the month it was active (0 for a refund). */
  active_days: z.number().int().nonnegative(),
  /** Pence; negative for a refund. gross = fee + vendor. */
  gross_pence: z.number().int(),
  fee_pence: z.number().int(),
  vendor_pence: z.number().int(),
});

/** A vendor's monthly statement; all amounts integer pence, the lines summing to the totals. */
export const RevenueStatementSchema = z.object({
  owner: SlugSchema,
  month: z.string(),
  days_in_month: z.number().int().min(28).max(31),
  /** Platform fee in basis points (2000 = 20%). */
  platform_fee_bps: z.number().int().min(0).max(10_000),
  gross_pence: z.number().int(),
  fee_pence: z.number().int(),
  vendor_pence: z.number().int(),
  lines: z.array(StatementLineSchema),
});
export type RevenueStatement = z.infer<typeof RevenueStatementSchema>;

/** Body of `GET /api/vendor/revenue` (json). */
export const RevenueResponseSchema = z.object({
  success: z.literal(true),
  data: RevenueStatementSchema,
  /** true for a month that has ended: the statement is stored and never changes. */
  closed: z.boolean(),
});

/** Body of `POST /api/webhooks`: where the signals of the models you subscribe to are POSTed. */
export const RegisterWebhookSchema = z.strictObject({
  url: z
    .string({ error: 'url must be an http(s) URL' })
    .max(2000, { error: 'url must be at most 2000 characters' })
    .regex(/^https?:\/\/[!-~]+$/, {
      error: 'url must be an http(s) URL of printable ASCII (no spaces, control characters or raw Unicode)',
    }),
});
export type RegisterWebhook = z.infer<typeof RegisterWebhookSchema>;

/** Query of `GET /api/webhooks/deliveries`. */
export const WebhookDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 500' })
    .int({ error: 'limit must be a whole number from 1 to 500' })
    .min(1, { error: 'limit must be a whole number from 1 to 500' })
    .max(500, { error: 'limit must be a whole number from 1 to 500' })
    .default(100),
});

/** Path of `DELETE /api/subscriptions/{id}` and `POST /api/webhooks/deliveries/{id}/replay`. */
export const UuidParamsSchema = z.strictObject({ id: z.string().uuid({ error: 'id must be a UUID' }) });
/** Query of `PUT /api/models/{model_id}/price`: only the service key names the owner. */
export const PriceQuerySchema = z.strictObject({ owner: SlugSchema.optional() });

/** `data` of `PUT /api/models/{model_id}/price`. */
export const ModelPriceSchema = z.object({
  owner: SlugSchema,
  model_id: SlugSchema,
  price_pence: z.number().int().nonnegative(),
  /** ISO-8601 UTC: from when it applies. */
  effective_from: z.string(),
});

/** `data` of `POST /api/webhooks`: the secret is shown this once. */
export const WebhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  created_at: z.string(),
  secret: z.string(),
});

/** One delivery of the subscriber's log. */
export const WebhookDeliverySchema = z.object({
  /** Stable across retries and replays: the receiver processes each id once. */
  id: z.string(),
  endpoint_id: z.string(),
  status: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int().nonnegative(),
  next_attempt_at: z.string(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

/** `data` of `POST /api/payments/webhook`. */
export const PaymentWebhookResultSchema = z.object({
  /** false for a redelivered event id: acknowledged, nothing changed. */
  handled: z.boolean(),
  type: z.string(),
});
