import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '@neuronetiq/db';
import { createApiKeyRepository, looksLikeApiKey } from '@neuronetiq/db';
import { jwtVerify } from 'jose';
import { AppError } from '../errors';
import type { Principal } from './principal';

export interface AuthOptions {
  serviceRoleKey: string;
  /** HS256 secret of user JWTs; without it user sessions are refused. */
  jwtSecret?: string | undefined;
  /** How long a verified vendor key is trusted without asking the database again (revocation delay elsewhere). */
  keyCacheMs?: number;
  now?: () => number;
}

const sha = (s: string) => createHash('sha256').update(s).digest();

/**
 * Resolves the Authorization header to a principal. Secrets are compared in constant time (hashes of equal length),
 * and never logged: the logger redacts the header.
 */
export function createAuthResolver(db: Db, options: AuthOptions) {
  const keys = createApiKeyRepository(db);
  const serviceHash = sha(options.serviceRoleKey);
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : null;
  const cacheMs = options.keyCacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { principal: Principal & { kind: 'vendor' }; until: number }>();
  const touched = new Map<string, number>();

  const unauthenticated = (message: string) =>
    new AppError('UNAUTHENTICATED', { message, headers: { 'www-authenticate': 'Bearer realm="neuronetiq"' } });

  async function resolve(header: string | undefined): Promise<Principal> {
    if (header === undefined || header === '') return { kind: 'anonymous' };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthenticated('Authorization must be "Bearer <token>"');
    const token = m[1] as string;

    if (timingSafeEqual(sha(token), serviceHash)) return { kind: 'service' };

    if (looksLikeApiKey(token)) {
      const cacheKey = sha(token).toString('hex');
      const hit = cache.get(cacheKey);
      if (hit && hit.until > now()) return hit.principal;
      const record = await keys.verify(token);
      if (!record) {
        cache.delete(cacheKey);
        throw unauthenticated('API key is invalid or revoked; create a new one with `mp login` or in the dashboard');
      }
      const principal = {
        kind: 'vendor' as const,
        owner: record.owner,
        keyId: record.id,
        keyPrefix: `mp_${record.prefix}`,
        userId: record.user_id,
        scopes: record.scopes,
      };
      if (cache.size > 10_000) cache.clear();
      cache.set(cacheKey, { principal, until: now() + cacheMs });
      // last_used_at is advisory: write it at most once a minute per key, off the request's path.
      if ((touched.get(record.id) ?? 0) < now() - 60_000) {
        touched.set(record.id, now());
        keys.touch(record.id).catch(() => {});
      }
      return principal;
    }

    if (secret && token.split('.').length === 3) {
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || payload.role !== 'authenticated') {
          throw unauthenticated('session token has no user (sub) or is not an authenticated session');
        }
        return { kind: 'user', userId: payload.sub, claims: payload as Record<string, unknown> };
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw unauthenticated('session token is invalid or expired; sign in again');
      }
    }
    throw unauthenticated('credentials are not valid');
  }

  return {
    resolve,
    /** Drops a revoked key from this instance's cache at once. */
    forgetKey(keyId: string) {
      for (const [k, v] of cache) if (v.principal.keyId === keyId) cache.delete(k);
    },
  };
}
export type AuthResolver = ReturnType<typeof createAuthResolver>;
