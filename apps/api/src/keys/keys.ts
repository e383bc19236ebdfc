import { type ApiKey, type CreateApiKey, MAX_ACTIVE_API_KEYS } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

type Caller = Exclude<Principal, { kind: 'anonymous' }>;

/** The 409 of an owner who already holds the most active keys. */
export function keyLimitReached(owner: string): AppError {
  return new AppError('CONFLICT', {
    message: `owner "${owner}" already has ${MAX_ACTIVE_API_KEYS} active API keys (the most allowed); revoke one first`,
  });
}

/**
 * Creates a vendor key; the plaintext is in this response only. A signed-in user, the service key, or a key with the
 * `keys:manage` scope may (the route checks the scope); a key may not grant scopes it does not hold itself.
 */
export async function createApiKey(
  deps: ApiDeps,
  req: { principal: Caller; input: CreateApiKey },
): Promise<{ key: string; record: ApiKey }> {
  const { principal, input } = req;
  if (principal.kind === 'vendor') {
    const beyond = input.scopes.filter((s) => !principal.scopes.includes(s));
    if (beyond.length) {
      throw new AppError('FORBIDDEN', {
        message: `API key "${principal.keyPrefix}" cannot grant scopes it lacks (${beyond.join(', ')}); sign in to create that key`,
      });
    }
  }
  if (input.expires_at !== undefined && Date.parse(input.expires_at) <= deps.now()) {
    throw new AppError('VALIDATION_ERROR', {
      message: 'key is invalid (expires_at: must be in the future)',
      details: [{ path: 'expires_at', message: 'must be in the future' }],
    });
  }
  const context = readContext(principal);
  const owner =
    principal.kind === 'service' && input.owner
      ? input.owner
      : await deps.db.asRequest(context, (tx) => ownerOf(tx, principal));
  if (input.owner && input.owner !== owner) {
    throw new AppError('FORBIDDEN', { message: `owner "${owner}" may not create keys for owner "${input.owner}"` });
  }
  // The hash is computed here and inserted as the service role: no signed-in role may write key rows directly. The
  // caller's claims go along so that the audit log records who created the key.
  const created = await deps.db.asRequest({ role: 'service_role', claims: context.claims }, (tx) =>
    repos.apiKeys.create(tx, {
      owner,
      userId: principal.kind === 'service' ? null : principal.userId,
      name: input.name,
      scopes: input.scopes,
      expiresAt: input.expires_at,
    }),
  );
  if (created === 'limit') throw keyLimitReached(owner);
  return created;
}

export async function findApiKeys(
  deps: ApiDeps,
  req: { principal: Caller; owner?: string | undefined },
): Promise<ApiKey[]> {
  const { principal } = req;
  return deps.db.asRequest(readContext(principal), async (tx) => {
    const owner = principal.kind === 'service' && req.owner ? req.owner : await ownerOf(tx, principal);
    if (req.owner && req.owner !== owner) {
      throw new AppError('FORBIDDEN', { message: `owner "${owner}" may not list keys of owner "${req.owner}"` });
    }
    return repos.apiKeys.find(tx, owner);
  });
}

/**
 * Revokes a key. The service key may revoke any; a user or a `keys:manage` key only their owner's; any key itself
 * (`mp logout`).
 */
export async function revokeApiKey(deps: ApiDeps, req: { principal: Caller; id: string }): Promise<ApiKey> {
  const { principal } = req;
  if (principal.kind === 'vendor' && principal.keyId !== req.id && !principal.scopes.includes('keys:manage')) {
    throw new AppError('FORBIDDEN', {
      message: `API key "${principal.keyPrefix}" lacks the scope "keys:manage": it may revoke only itself; sign in to revoke other keys`,
    });
  }
  const record = await deps.db.asRequest(readContext(principal), async (tx) => {
    const owner = principal.kind === 'service' ? undefined : await ownerOf(tx, principal);
    return repos.apiKeys.revoke(tx, req.id, owner);
  });
  if (!record) throw new AppError('NOT_FOUND', { message: `no live API key with id "${req.id}" belongs to you` });
  deps.auth.forgetKey(record.id);
  return record;
}
