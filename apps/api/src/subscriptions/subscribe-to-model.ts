import type { Subscribe, Subscription } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

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
 * A signed-in user subscribes to a public model (or one of their own), at its current price, through the payment
 * provider; reading the model's signals live starts at once. A second active subscription to the same model is 409.
 */
export async function subscribeToModel(
  deps: ApiDeps,
  req: { principal: Principal; body: Subscribe },
): Promise<Subscription> {
  requireUser(req.principal);
  const { owner, model_id: modelId } = req.body;
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
    if (await repos.subscriptions.findActive(tx, subscriber, owner, modelId)) {
      throw new AppError('CONFLICT', { message: `You already subscribe to "${owner}/${modelId}"` });
    }
    return (await repos.subscriptions.priceAt(tx, owner, modelId, atMs)) ?? 0;
  });
  // The provider first: if it refuses, nothing is stored. If the insert then loses a race, the provider's
  // subscription is cancelled again.
  const { providerRef } = await deps.payments.createSubscription({
    subscriptionKey: `${subscriber}:${owner}:${modelId}:${atMs}`,
    customer: subscriber,
    pricePence,
  });
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

/** The caller's subscriptions, and those to the caller's models (RLS). */
export async function findSubscriptions(deps: ApiDeps, req: { principal: Principal }): Promise<Subscription[]> {
  return deps.db.asRequest(readContext(req.principal), (tx) => repos.subscriptions.list(tx));
}
