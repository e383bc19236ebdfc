import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '@neuronetiq/db';
import { looksLikeApiKey, repos, serviceStatements } from '@neuronetiq/db';
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { AppError } from '../errors';
import type { Principal } from './principal';

export interface AuthOptions {
  serviceRoleKey: string;
  /** HS256 secret of user JWTs; without it user sessions are refused. */
  jwtSecret?: string | undefined;
  /** Required `iss` of user JWTs (Supabase: `https://<project>.supabase.co/auth/v1`); unset: not checked. */
  jwtIssuer?: string | undefined;
  /** How long a verified vendor key is trusted without asking the database again (revocation delay elsewhere). */
  keyCacheMs?: number;
  now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is wrong with a session token, for its 401: which claim, and what to do. */
function sessionTokenProblem(err: unknown, issuer: string | undefined): string {
  if (err instanceof joseErrors.JWTExpired) return 'session token has expired; sign in again';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'exp':
        return 'session token is invalid: it must carry an expiry (exp); sign in again';
      case 'sub':
        return 'session token is invalid: it must carry the user id (sub); sign in again';
      case 'aud':
        return 'session token is invalid: its audience (aud) must be "authenticated"';
      case 'iss':
        return `session token is invalid: its issuer (iss) must be "${issuer}"`;
      default:
        return `session token is invalid: claim "${err.claim}" ${err.reason}`;
    }
  }
  return 'session token is invalid (bad signature or format); sign in again';
}

const sha = (s: string) => createHash('sha256').update(s).digest();

/**
 * Resolves the Authorization header to a principal. Secrets are compared in constant time (hashes of equal length),
 * and never logged: the logger redacts the header.
 */
export function createAuthResolver(db: Db, options: AuthOptions) {
  // Keys are looked up as the service role, a transaction per statement: the api's login role reads no table itself.
  const asService = serviceStatements(db);
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

    const digest = sha(token);
    if (timingSafeEqual(digest, serviceHash)) return { kind: 'service' };

    if (looksLikeApiKey(token)) {
      const cacheKey = digest.toString('hex');
      const hit = cache.get(cacheKey);
      if (hit && hit.until > now()) return hit.principal;
      const record = await repos.apiKeys.verify(asService, token);
      if (!record) {
        cache.delete(cacheKey);
        throw unauthenticated('API key is invalid or revoked; create a new one with `mp login` or in the dashboard');
      }
      const expiresAt = record.expires_at ? Date.parse(record.expires_at) : Number.POSITIVE_INFINITY;
      if (expiresAt <= now()) {
        cache.delete(cacheKey);
        throw unauthenticated(
          `API key mp_${record.prefix}… expired at ${record.expires_at}; create a new one with \`mp login\` or in the dashboard`,
        );
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
      cache.set(cacheKey, { principal, until: Math.min(now() + cacheMs, expiresAt) });
      // last_used_at is advisory: write it at most once a minute per key, off the request's path.
      if ((touched.get(record.id) ?? 0) < now() - 60_000) {
        touched.set(record.id, now());
        repos.apiKeys.touch(asService, record.id).catch(() => {});
      }
      return principal;
    }

    if (secret && token.split('.').length === 3) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          audience: 'authenticated',
          requiredClaims: ['exp', 'sub'],
          ...(options.jwtIssuer ? { issuer: options.jwtIssuer } : {}),
        }));
      } catch (err) {
        throw unauthenticated(sessionTokenProblem(err, options.jwtIssuer));
      }
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) {
        throw unauthenticated('session token is invalid: its sub must be the user id (a UUID); sign in again');
      }
      // Only what identifies the session reaches the database. Claims that would confer power (`owner`, `key_id`,
      // a `role` other than authenticated) are dropped: RLS finds the user's owner in app.users by `sub`.
      const claims: Record<string, unknown> = { sub: payload.sub, aud: 'authenticated', exp: payload.exp };
      if (payload.iat !== undefined) claims.iat = payload.iat;
      if (payload.iss !== undefined) claims.iss = payload.iss;
      return { kind: 'user', userId: payload.sub, claims };
    }
    throw unauthenticated('credentials are not valid');
  }

  return {
    resolve,
    /** True when the header carries the service key (constant-time): the platform's own services are never throttled. */
    isServiceKey(header: string | undefined): boolean {
      const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      return m ? timingSafeEqual(sha(m[1] as string), serviceHash) : false;
    },
    /** Drops a revoked key from this instance's cache at once. */
    forgetKey(keyId: string) {
      for (const [k, v] of cache) if (v.principal.keyId === keyId) cache.delete(k);
    },
  };
}
export type AuthResolver = ReturnType<typeof createAuthResolver>;
