import type { ApiKey, CreateApiKey } from '@neuronetiq/contracts';
import { createApiKeyRepository } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

type Caller = Exclude<Principal, { kind: 'anonymous' }>;

/** Creates a vendor key; the plaintext is in this response only. Users and the service key may; a key may not. */
export async function createApiKey(
  deps: ApiDeps,
  req: { principal: Caller; input: CreateApiKey },
): Promise<{ key: string; record: ApiKey }> {
  const { principal, input } = req;
  if (principal.kind === 'vendor') {
    throw new AppError('FORBIDDEN', {
      message: 'an API key cannot create keys; sign in (web or `mp login`) to create one',
    });
  }
  const keys = createApiKeyRepository(deps.db);
  const owner =
    principal.kind === 'service' && input.owner
      ? input.owner
      : await deps.db.asRequest(readContext(principal), (tx) => ownerOf(tx, principal));
  if (input.owner && input.owner !== owner) {
    throw new AppError('FORBIDDEN', { message: `owner "${owner}" may not create keys for owner "${input.owner}"` });
  }
  // The hash is computed here and inserted as the service role: no signed-in role may write key rows directly.
  return deps.db.asRequest({ role: 'service_role', claims: {} }, (tx) =>
    keys.create(
      { owner, userId: principal.kind === 'user' ? principal.userId : null, name: input.name, scopes: input.scopes },
      { tx },
    ),
  );
}

export async function findApiKeys(
  deps: ApiDeps,
  req: { principal: Caller; owner?: string | undefined },
): Promise<ApiKey[]> {
  const { principal } = req;
  const keys = createApiKeyRepository(deps.db);
  return deps.db.asRequest(readContext(principal), async (tx) => {
    const owner = principal.kind === 'service' && req.owner ? req.owner : await ownerOf(tx, principal);
    if (req.owner && req.owner !== owner) {
      throw new AppError('FORBIDDEN', { message: `owner "${owner}" may not list keys of owner "${req.owner}"` });
    }
    return keys.find(tx, owner);
  });
}

export async function revokeApiKey(deps: ApiDeps, req: { principal: Caller; id: string }): Promise<ApiKey> {
  const { principal } = req;
  const keys = createApiKeyRepository(deps.db);
  const record = await deps.db.asRequest(readContext(principal), async (tx) => {
    // The service key may revoke any key; everyone else only their owner's.
    const owner = principal.kind === 'service' ? undefined : await ownerOf(tx, principal);
    return keys.revoke(tx, req.id, owner);
  });
  if (!record) throw new AppError('NOT_FOUND', { message: `no live API key with id "${req.id}" belongs to you` });
  deps.auth.forgetKey(record.id);
  return record;
}
