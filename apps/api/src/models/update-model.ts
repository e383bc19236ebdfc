import type { Model, UpdateModel } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext, requireScope } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

/**
 * Changes a model's name, description or visibility. A user or vendor key updates as `authenticated`, so RLS (owner
 * = the request's owner) is what limits it to their own models; someone else's model is a 404, as if it did not exist.
 */
export async function updateModel(
  deps: ApiDeps,
  req: { principal: Exclude<Principal, { kind: 'anonymous' }>; modelId: string; patch: UpdateModel },
): Promise<Model> {
  const { principal, patch } = req;
  requireScope(principal, 'models:write');
  const record = await deps.db.asRequest(readContext(principal), async (tx) => {
    const owner = principal.kind === 'service' && patch.owner ? patch.owner : await ownerOf(tx, principal);
    if (patch.owner && patch.owner !== owner) {
      throw new AppError('FORBIDDEN', { message: `owner "${owner}" may not edit models of owner "${patch.owner}"` });
    }
    return repos.models.update(tx, { owner, modelId: req.modelId }, patch);
  });
  if (!record) throw new AppError('NOT_FOUND', { message: `no model "${req.modelId}" of yours` });
  return record;
}
