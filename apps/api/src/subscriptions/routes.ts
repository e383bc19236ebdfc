import {
  dataResponse,
  ModelIdParamsSchema,
  ModelPriceSchema,
  PayInvoiceSchema,
  PaymentWebhookResultSchema,
  PriceQuerySchema,
  RegisterWebhookSchema,
  RevenueQuerySchema,
  RevenueResponseSchema,
  SetPriceSchema,
  SubscribeSchema,
  SubscriptionSchema,
  UuidParamsSchema,
  WebhookDeliveriesQuerySchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
} from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { handlePaymentWebhook } from '../payments/handle-payment-webhook';
import { getRevenueStatement } from '../revenue/get-revenue-statement';
import { findWebhookDeliveries, registerWebhookEndpoint, replayWebhookDelivery } from '../webhooks/webhooks';
import { setModelPrice } from './set-model-price';
import { cancelSubscription, findSubscriptions, payOpenInvoice, subscribeToModel } from './subscribe-to-model';

const signedIn = { access: { principal: 'authenticated' } } as const;

/**
 * Prices, subscriptions, the payment provider's webhooks, vendors' revenue statements (docs/revenue.md) and
 * subscribers' own webhooks.
 */
export function subscriptionRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.put(
    '/api/models/:model_id/price',
    {
      config: signedIn,
      schema: {
        summary: 'Set the monthly price of your model in GBP pence (0 = free), from now on',
        tags: ['subscriptions'],
        params: ModelIdParamsSchema,
        querystring: PriceQuerySchema,
        body: SetPriceSchema,
        response: {
          200: dataResponse(ModelPriceSchema).describe('the price and when it took effect'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await setModelPrice(deps, {
        principal: req.principal,
        modelId: req.params.model_id,
        owner: req.query.owner,
        body: req.body,
      }),
    }),
  );

  app.get(
    '/api/subscriptions',
    {
      config: signedIn,
      schema: {
        summary: 'Your subscriptions, and the subscriptions to your models',
        tags: ['subscriptions'],
        response: {
          200: dataResponse(z.array(SubscriptionSchema)).describe('newest first'),
          ...errorResponses('UNAUTHENTICATED'),
        },
      },
    },
    async (req) => ({ success: true as const, data: await findSubscriptions(deps, { principal: req.principal }) }),
  );

  app.post(
    '/api/subscriptions',
    {
      config: signedIn,
      schema: {
        summary: 'Subscribe to a model (a signed-in user): its signals live from now on, billed by active days',
        description:
          'The first payment is taken at once with payment_method (a Stripe-style pm_… or tok_… id; absent: your default card). Declined: 402 PAYMENT_DECLINED naming the reason in details (card_declined, insufficient_funds or expired_card), and nothing is stored: no subscription, no live signals, nothing billed. A free model charges nothing.',
        tags: ['subscriptions'],
        body: SubscribeSchema,
        response: {
          201: dataResponse(SubscriptionSchema).describe('the subscription'),
          ...errorResponses('UNAUTHENTICATED', 'PAYMENT_DECLINED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'),
        },
      },
    },
    async (req, reply) =>
      reply.code(201).send({
        success: true as const,
        data: await subscribeToModel(deps, { principal: req.principal, body: req.body }),
      }),
  );

  app.delete(
    '/api/subscriptions/:id',
    {
      config: signedIn,
      schema: {
        summary: 'Cancel your subscription now (the days so far stay billed)',
        tags: ['subscriptions'],
        params: UuidParamsSchema,
        response: {
          200: dataResponse(SubscriptionSchema).describe('the ended subscription'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await cancelSubscription(deps, { principal: req.principal, id: req.params.id }),
    }),
  );

  app.post(
    '/api/subscriptions/:id/pay',
    {
      config: signedIn,
      schema: {
        summary: 'Pay your past-due subscription now (optionally with another card): live signals resume at once',
        description:
          'For a subscription whose renewal payment failed (status past_due). Declined again: 402 PAYMENT_DECLINED and it stays past_due. Not past due: 409, nothing charged.',
        tags: ['subscriptions'],
        params: UuidParamsSchema,
        body: PayInvoiceSchema,
        response: {
          200: dataResponse(SubscriptionSchema).describe('the subscription, active again'),
          ...errorResponses('UNAUTHENTICATED', 'PAYMENT_DECLINED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await payOpenInvoice(deps, { principal: req.principal, id: req.params.id, body: req.body }),
    }),
  );

  app.get(
    '/api/vendor/revenue',
    {
      config: signedIn,
      schema: {
        summary: 'Your monthly revenue statement in integer pence, as JSON or (format=csv) CSV',
        description:
          'Prorated by active days; platform fee (20% by default) spread by the largest-remainder rule so that every part sums to the gross. A month that has ended is closed at its first read and served byte for byte ever after. See docs/revenue.md.',
        tags: ['subscriptions'],
        querystring: RevenueQuerySchema,
        response: {
          200: z.union([RevenueResponseSchema, z.string()]).describe('the statement (text/csv with format=csv)'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req, reply) => {
      const r = await getRevenueStatement(deps, { principal: req.principal, query: req.query });
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="revenue-${r.statement.owner}-${req.query.month}.csv"`)
          .send(r.csv);
      }
      // The stored body verbatim: a closed month answers with the same bytes every time.
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"success":true,"data":${r.body},"closed":${r.closed}}` as never);
    },
  );

  app.post(
    '/api/webhooks',
    {
      config: signedIn,
      schema: {
        summary: 'Register a URL to receive the signals of the models you subscribe to (its secret is shown once)',
        description:
          'Each delivery is POSTed with NeuronetIQ-Delivery (an id stable across retries: process each once) and NeuronetIQ-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (Stripe\'s scheme). Failures are retried with exponential backoff and dead-lettered after 8 attempts.',
        tags: ['webhooks'],
        body: RegisterWebhookSchema,
        response: {
          201: dataResponse(WebhookEndpointSchema).describe('the endpoint and its signing secret'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({
        success: true as const,
        data: await registerWebhookEndpoint(deps, { principal: req.principal, body: req.body }),
      });
    },
  );

  app.get(
    '/api/webhooks/deliveries',
    {
      config: signedIn,
      schema: {
        summary: 'Your webhook delivery log, newest first (status, attempts, last error)',
        tags: ['webhooks'],
        querystring: WebhookDeliveriesQuerySchema,
        response: {
          200: dataResponse(z.array(WebhookDeliverySchema)).describe('deliveries'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => ({
      success: true as const,
      data: await findWebhookDeliveries(deps, { principal: req.principal, limit: req.query.limit }),
    }),
  );

  app.post(
    '/api/webhooks/deliveries/:id/replay',
    {
      config: signedIn,
      schema: {
        summary: 'Send one of your deliveries again, with the same delivery id',
        tags: ['webhooks'],
        params: UuidParamsSchema,
        response: {
          202: dataResponse(z.object({ id: z.string(), status: z.literal('pending') })).describe('queued'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
        },
      },
    },
    async (req, reply) => {
      await replayWebhookDelivery(deps, { principal: req.principal, id: req.params.id });
      return reply.code(202).send({ success: true as const, data: { id: req.params.id, status: 'pending' as const } });
    },
  );

  // The provider signs the raw body: this route alone keeps it as text instead of parsing JSON.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/payments/webhook',
      {
        config: { access: { principal: 'anyone' } },
        schema: {
          summary: "The payment provider's webhook (Stripe's scheme: Stripe-Signature over timestamp and raw body)",
          description:
            'Each event id is handled once; a redelivery answers 200 with handled: false. Acts on invoice.paid (a charge; a past_due subscription is active again), invoice.payment_failed (the subscription is past_due: live signals pause and the days are not billed), charge.refunded and customer.subscription.deleted. Status follows the event time: an event older than the last one applied changes no status.',
          tags: ['subscriptions'],
          body: z.string().describe('the event, as JSON, exactly as signed'),
          response: {
            200: dataResponse(PaymentWebhookResultSchema).describe('received'),
            ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND'),
          },
        },
      },
      async (req) => {
        const signature = req.headers['stripe-signature'];
        return {
          success: true as const,
          data: await handlePaymentWebhook(deps, {
            rawBody: typeof req.body === 'string' ? req.body : '',
            signature: typeof signature === 'string' ? signature : undefined,
          }),
        };
      },
    );
  });
}
