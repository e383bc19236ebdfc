import type { Queryable, UserRecord } from '@neuronetiq/db';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { AppError } from '../errors';

/**
 * The signed-in user's row (`app.ensure_user()`, which assigns the owner at first sign-in from the verified identity).
 * A user with no GitHub or Google identity has no owner to assign: a 403 saying so, not the database's error.
 * `tx` must run in the user's read context.
 */
export async function ensureUser(tx: Queryable): Promise<UserRecord> {
  try {
    return await repos.users.ensure(tx);
  } catch (err) {
    if ((err as { code?: string }).code === '22023') {
      throw new AppError('FORBIDDEN', { message: 'sign in with GitHub or Google to get an owner name', cause: err });
    }
    throw err;
  }
}

/**
 * The owner a principal acts as: a vendor key's owner, or the signed-in user's owner (created at first sign-in from
 * the verified identity). `tx` must run in the principal's read context. The service principal has no owner.
 */
export async function ownerOf(tx: Queryable, principal: Principal): Promise<string> {
  if (principal.kind === 'vendor') return principal.owner;
  if (principal.kind === 'user') return (await ensureUser(tx)).owner;
  throw new AppError('VALIDATION_ERROR', {
    message: 'the service principal has no owner of its own: name one in "owner"',
    details: [{ path: 'owner', message: 'is required for the service key' }],
  });
}
