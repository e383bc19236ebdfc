import type { Me } from '@neuronetiq/contracts';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { ensureUser } from './owner-of';

export async function getMe(deps: ApiDeps, principal: Exclude<Principal, { kind: 'anonymous' }>): Promise<Me> {
  if (principal.kind === 'service') return { kind: 'service' };
  if (principal.kind === 'vendor') {
    return {
      kind: 'vendor',
      owner: principal.owner,
      key: { id: principal.keyId, prefix: principal.keyPrefix, scopes: principal.scopes },
    };
  }
  const user = await deps.db.asRequest(readContext(principal), ensureUser);
  return { kind: 'user', user_id: user.user_id, owner: user.owner, provider: user.provider, username: user.username };
}
