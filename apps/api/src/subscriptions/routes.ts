import { RevenueQuerySchema, SetPriceSchema, SlugSchema, SubscribeSchema } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { parseOrThrow } from '../http/validate';
import { handlePaymentWebhook } from '../payments/handle-payment-webhook';
import { getRevenueStatement } from '../revenue/get-revenue-statement';
import { setModelPrice } from './set-model-price';
import { cancelSubscription, findSubscriptions, subscribeToModel } from './subscribe-to-model';

const ModelIdPathSchema = z.strictObject({ model_id: SlugSchema });
const PriceQuerySchema = z.strictObject({ owner: SlugSchema.optional() });
const SubscriptionPathSchema = z.strictObject({
  id: z.string().uuid({ error: 'id must be a subscription id (a UUID)' }),
});

/** Prices, subscriptions, the payment provider's webhooks and vendors' revenue statements (docs/revenue.md). */
export function registerSubscriptionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.put('/api/models/:model_id/price', async (req) => {
    const principal = requireAuthenticated(req.principal);
    const path = parseOrThrow(ModelIdPathSchema, req.params, 'path');
    const { owner } = parseOrThrow(PriceQuerySchema, req.query, 'query');
    const body = parseOrThrow(SetPriceSchema, req.body, 'body');
    return { success: true, data: await setModelPrice(deps, { principal, modelId: path.model_id, owner, body }) };
  });

  app.get('/api/subscriptions', async (req) => {
    const principal = requireAuthenticated(req.principal);
    return { success: true, data: await findSubscriptions(deps, { principal }) };
  });

  app.post('/api/subscriptions', async (req, reply) => {
    const principal = requireAuthenticated(req.principal);
    const body = parseOrThrow(SubscribeSchema, req.body, 'body');
    return reply.code(201).send({ success: true, data: await subscribeToModel(deps, { principal, body }) });
  });

  app.delete('/api/subscriptions/:id', async (req) => {
    const principal = requireAuthenticated(req.principal);
    const { id } = parseOrThrow(SubscriptionPathSchema, req.params, 'path');
    return { success: true, data: await cancelSubscription(deps, { principal, id }) };
  });

  app.get('/api/vendor/revenue', async (req, reply) => {
    const query = parseOrThrow(RevenueQuerySchema, req.query, 'query');
    const r = await getRevenueStatement(deps, { principal: req.principal, query });
    if (query.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="revenue-${r.statement.owner}-${query.month}.csv"`)
        .send(r.csv);
    }
    // The stored body verbatim: a closed month answers with the same bytes every time.
    return reply.type('application/json; charset=utf-8').send(`{"success":true,"data":${r.body},"closed":${r.closed}}`);
  });

  // The provider signs the raw body: this route alone keeps it as text instead of parsing JSON.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post('/api/payments/webhook', async (req) => {
      const signature = req.headers['stripe-signature'];
      const data = await handlePaymentWebhook(deps, {
        rawBody: typeof req.body === 'string' ? req.body : '',
        signature: typeof signature === 'string' ? signature : undefined,
      });
      return { success: true, data };
    });
  });
}
