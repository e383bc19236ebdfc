import type { Model, RegisterModel } from '@neuronetiq/contracts';
import { type RequestContext, repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext, requireScope } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

/** Public models and the caller's own (RLS), optionally of one owner. */
export async function findModels(
  deps: ApiDeps,
  req: { principal: Principal; owner?: string | undefined; limit: number },
): Promise<Model[]> {
  return deps.db.asRequest(readContext(req.principal), (tx) =>
    repos.models.find(tx, { owner: req.owner, limit: req.limit }),
  );
}

/**
 * Registers a model for the caller's owner. A user or vendor key inserts as `authenticated`, so the database's RLS
 * policy (owner = the request's owner) is what stops a write for someone else; the service key names the owner.
 */
export async function registerModel(
  deps: ApiDeps,
  req: { principal: Exclude<Principal, { kind: 'anonymous' }>; model: RegisterModel },
): Promise<Model> {
  const { principal, model } = req;
  requireScope(principal, 'models:write');
  const ctx: RequestContext = readContext(principal);
  const record = await deps.db.asRequest(ctx, async (tx) => {
    const owner = principal.kind === 'service' && model.owner ? model.owner : await ownerOf(tx, principal);
    if (model.owner && model.owner !== owner) {
      throw new AppError('FORBIDDEN', {
        message: `owner "${owner}" may not register models for owner "${model.owner}"`,
      });
    }
    return repos.models.register(tx, {
      owner,
      model_id: model.model_id,
      name: model.name,
      description: model.description,
      visibility: model.visibility,
    });
  });
  if (!record) {
    throw new AppError('CONFLICT', {
      message: `Model "${model.model_id}" is already registered to owner "${model.owner ?? (principal.kind === 'vendor' ? principal.owner : 'you')}"`,
    });
  }
  return record;
}
