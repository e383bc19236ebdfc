import type { ApiKeyScope } from '@neuronetiq/contracts';
import type { RequestContext } from '@neuronetiq/db';
import { AppError } from '../errors';

/** Who is calling, resolved from the Authorization header (never from the body). */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'service' }
  | { kind: 'vendor'; owner: string; keyId: string; keyPrefix: string; userId: string | null; scopes: ApiKeyScope[] }
  | { kind: 'user'; userId: string; claims: Record<string, unknown> };

/** Stable id for rate limits and idempotency records. */
export function principalId(p: Principal): string {
  switch (p.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'service':
      return 'service';
    case 'vendor':
      return `key:${p.keyId}`;
    case 'user':
      return `user:${p.userId}`;
  }
}

/** The database role and claims the principal's reads run with; RLS decides what they see. */
export function readContext(p: Principal): RequestContext {
  switch (p.kind) {
    case 'anonymous':
      return { role: 'anon', claims: {} };
    case 'service':
      return { role: 'service_role', claims: {} };
    case 'vendor':
      return {
        role: 'authenticated',
        claims: { ...(p.userId ? { sub: p.userId } : {}), owner: p.owner, key_id: p.keyId },
      };
    case 'user':
      return { role: 'authenticated', claims: p.claims };
  }
}

/**
 * Signals and consensus are written by the service role only (seed policy): a vendor key's writes run as the service
 * role after the api has checked that every row is for the key's own owner and registered models.
 */
export function writeContext(p: Principal): RequestContext {
  if (p.kind === 'service') return { role: 'service_role', claims: {} };
  if (p.kind === 'vendor') return { role: 'service_role', claims: { owner: p.owner, key_id: p.keyId } };
  throw new AppError('FORBIDDEN', { message: 'only the service key or a vendor API key may write signals' });
}

export function requireAuthenticated(p: Principal): Exclude<Principal, { kind: 'anonymous' }> {
  if (p.kind === 'anonymous') {
    throw new AppError('UNAUTHENTICATED', {
      message: 'send credentials: Authorization: Bearer <vendor API key mp_… | service key | session token>',
      headers: { 'www-authenticate': 'Bearer realm="neuronetiq"' },
    });
  }
  return p;
}

export function requireService(p: Principal): void {
  requireAuthenticated(p);
  if (p.kind !== 'service') throw new AppError('FORBIDDEN', { message: 'this endpoint needs the service key' });
}

export function requireScope(p: Principal, scope: ApiKeyScope): void {
  if (p.kind === 'vendor' && !p.scopes.includes(scope)) {
    throw new AppError('FORBIDDEN', {
      message: `API key "${p.keyPrefix}" lacks the scope "${scope}"; create a key with that scope`,
    });
  }
}

/** A vendor key reads only its own owner's rows; asking for another owner is a 403, not an empty answer. */
export function assertMayReadOwner(p: Principal, owner: string | undefined): void {
  if (p.kind === 'vendor' && owner && owner !== p.owner) {
    throw new AppError('FORBIDDEN', { message: `API key of owner "${p.owner}" may not read owner "${owner}"` });
  }
}
