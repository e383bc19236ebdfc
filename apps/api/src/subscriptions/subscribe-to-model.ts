import { DECLINE_ADVICE, type PayInvoice, type Subscribe, type Subscription } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';
import { PaymentDeclinedError } from '../payments/payment-provider';

const SERVICE = { role: 'service_role', claims: {} } as const;

/** A signed-in user must be acting, not a key or the service: subscriptions are a person's. */
function requireUser(p: Principal): void {
  if (p.kind !== 'user') {
    throw new AppError(p.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN', {
      message: 'subscriptions are made and cancelled by a signed-in user (a session token), not an API key',
    });
  }
}

/**
 * The 402 for a declined payment: what happened, that nothing was taken or kept, and what to do next. The attempt is
 * kept for audit (app.payment_attempts), nothing else.
 */
async function declined(
  deps: ApiDeps,
  err: PaymentDeclinedError,
  attempt: { subscriber: string; owner: string; modelId: string; subscriptionId: string | null },
  next: string,
): Promise<AppError> {
  await deps.db.asRequest(SERVICE, (tx) =>
    repos.subscriptions.recordDeclined(tx, {
      ...attempt,
      amountPence: err.amountPence,
      declineCode: err.declineCode,
      atMs: deps.now(),
    }),
  );
  const advice = DECLINE_ADVICE[err.declineCode];
  return new AppError('PAYMENT_DECLINED', {
    message: `${advice.reason} (${err.declineCode}). Nothing was charged${next}: ${advice.todo}, then try again.`,
    details: [{ path: 'payment_method', message: `${err.declineCode}: ${advice.reason.toLowerCase()}` }],
    cause: err,
  });
}

/**
 * A signed-in user subscribes to a public model (or one of their own), at its current price, through the payment
 * provider; reading the model's signals live starts at once. A second active subscription to the same model is 409.
 * A declined first payment is 402 PAYMENT_DECLINED and stores no subscription: no live reading, nothing billed.
 */
export async function subscribeToModel(
  deps: ApiDeps,
  req: { principal: Principal; body: Subscribe },
): Promise<Subscription> {
  requireUser(req.principal);
  const { owner, model_id: modelId, payment_method: paymentMethod } = req.body;
  const subscriber = await deps.db.asRequest(readContext(req.principal), async (tx) => {
    // Through the caller's RLS: a private model of another owner is not found, exactly like a missing one.
    if (!(await repos.subscriptions.findModel(tx, owner, modelId))) {
      throw new AppError('NOT_FOUND', {
        message: `Model "${modelId}" of owner "${owner}" does not exist or is private`,
      });
    }
    return ownerOf(tx, req.principal);
  });
  const atMs = deps.now();
  const pricePence = await deps.db.asRequest(SERVICE, async (tx) => {
    const current = await repos.subscriptions.findActive(tx, subscriber, owner, modelId);
    if (current?.status === 'past_due') {
      throw new AppError('CONFLICT', {
        message: `You already subscribe to "${owner}/${modelId}", but its last payment failed: pay it (POST /api/subscriptions/${current.id}/pay) or cancel it`,
      });
    }
    if (current) throw new AppError('CONFLICT', { message: `You already subscribe to "${owner}/${modelId}"` });
    return (await repos.subscriptions.priceAt(tx, owner, modelId, atMs)) ?? 0;
  });
  // The provider first: if it refuses, nothing is stored. If the insert then loses a race, the provider's
  // subscription is cancelled again.
  let providerRef: string;
  try {
    ({ providerRef } = await deps.payments.createSubscription({
      subscriptionKey: `${subscriber}:${owner}:${modelId}:${atMs}`,
      customer: subscriber,
      pricePence,
      paymentMethod,
    }));
  } catch (err) {
    if (!(err instanceof PaymentDeclinedError)) throw err;
    throw await declined(
      deps,
      err,
      { subscriber, owner, modelId, subscriptionId: null },
      ' and you are not subscribed',
    );
  }
  const row = await deps.db.asRequest(SERVICE, (tx) =>
    repos.subscriptions.subscribe(tx, { subscriber, owner, modelId, atMs, provider: deps.payments.name, providerRef }),
  );
  if (!row) {
    await deps.payments.cancelSubscription(providerRef);
    throw new AppError('CONFLICT', { message: `You already subscribe to "${owner}/${modelId}"` });
  }
  return row;
}

/** The subscriber cancels: live reading and billing end now; the days so far stay billed. */
export async function cancelSubscription(
  deps: ApiDeps,
  req: { principal: Principal; id: string },
): Promise<Subscription> {
  requireUser(req.principal);
  const mine = await deps.db.asRequest(readContext(req.principal), async (tx) => {
    const subscriber = await ownerOf(tx, req.principal);
    return (await repos.subscriptions.list(tx)).find(
      (s) => s.id === req.id && s.subscriber === subscriber && s.ended_at === null,
    );
  });
  if (!mine) throw new AppError('NOT_FOUND', { message: `No active subscription "${req.id}" of yours` });
  await deps.payments.cancelSubscription(mine.provider_ref);
  const ended = await deps.db.asRequest(SERVICE, (tx) => repos.subscriptions.end(tx, { id: mine.id }, deps.now()));
  if (!ended) throw new AppError('NOT_FOUND', { message: `No active subscription "${req.id}" of yours` });
  return ended;
}

/**
 * The subscriber pays a past_due subscription's open invoice now (optionally with another card): paid, it is active
 * again at once (live reading, billed days); declined, 402 and it stays past_due. Not past_due: 409, nothing charged.
 */
export async function payOpenInvoice(
  deps: ApiDeps,
  req: { principal: Principal; id: string; body: PayInvoice },
): Promise<Subscription> {
  requireUser(req.principal);
  const mine = await deps.db.asRequest(readContext(req.principal), async (tx) => {
    const subscriber = await ownerOf(tx, req.principal);
    return (await repos.subscriptions.list(tx)).find((s) => s.id === req.id && s.subscriber === subscriber);
  });
  if (!mine || mine.status === 'canceled') {
    throw new AppError('NOT_FOUND', { message: `No active subscription "${req.id}" of yours` });
  }
  if (mine.status !== 'past_due') {
    throw new AppError('CONFLICT', { message: `Your subscription to "${mine.owner}/${mine.model_id}" owes nothing` });
  }
  let paid: boolean;
  try {
    ({ paid } = await deps.payments.payOpenInvoice({
      providerRef: mine.provider_ref,
      paymentMethod: req.body.payment_method,
    }));
  } catch (err) {
    if (!(err instanceof PaymentDeclinedError)) throw err;
    throw await declined(
      deps,
      err,
      { subscriber: mine.subscriber, owner: mine.owner, modelId: mine.model_id, subscriptionId: mine.id },
      ' and live signals stay paused',
    );
  }
  if (!paid) {
    throw new AppError('CONFLICT', {
      message: `The payment provider holds no unpaid invoice of your subscription to "${mine.owner}/${mine.model_id}": its payment may be on its way`,
    });
  }
  const atMs = deps.now();
  // Paid now: the provider's invoice.paid webhook follows and records the charge; this does not wait for it.
  return deps.db.asRequest(SERVICE, async (tx) => {
    await repos.subscriptions.markPaid(tx, { id: mine.id, atMs });
    return (await repos.subscriptions.findActive(tx, mine.subscriber, mine.owner, mine.model_id)) ?? mine;
  });
}

/** The caller's subscriptions, and those to the caller's models (RLS). */
export async function findSubscriptions(deps: ApiDeps, req: { principal: Principal }): Promise<Subscription[]> {
  return deps.db.asRequest(readContext(req.principal), (tx) => repos.subscriptions.list(tx));
}
