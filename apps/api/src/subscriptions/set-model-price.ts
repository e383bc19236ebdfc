import type { SetPrice } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

const SERVICE = { role: 'service_role', claims: {} } as const;

/**
 * A vendor (its session or key) prices one of its own models per month, from now on; earlier days keep their price.
 * The service principal may price any owner's model.
 */
export async function setModelPrice(
  deps: ApiDeps,
  req: { principal: Principal; modelId: string; owner?: string | undefined; body: SetPrice },
): Promise<{ owner: string; model_id: string; price_pence: number; effective_from: string }> {
  const owner =
    req.principal.kind === 'service' && req.owner
      ? req.owner
      : await deps.db.asRequest(readContext(req.principal), (tx) => ownerOf(tx, req.principal));
  if (req.owner && req.owner !== owner) {
    throw new AppError('FORBIDDEN', { message: `owner "${owner}" may not price models of owner "${req.owner}"` });
  }
  const atMs = deps.now();
  await deps.db.asRequest(SERVICE, async (tx) => {
    if (!(await repos.subscriptions.findModel(tx, owner, req.modelId))) {
      throw new AppError('NOT_FOUND', { message: `Model "${req.modelId}" is not registered to owner "${owner}"` });
    }
    await repos.subscriptions.setPrice(tx, { owner, modelId: req.modelId, pricePence: req.body.price_pence, atMs });
  });
  return {
    owner,
    model_id: req.modelId,
    price_pence: req.body.price_pence,
    effective_from: new Date(atMs).toISOString(),
  };
}
