import type { IdentityUpsert, IdentityUpsertResult } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';

/**
 * Records an identity the web server's OAuth sign-in verified and returns the user and owner its session tokens are
 * for. The owner is assigned on the server at first sign-in (app.ensure_user()) and never changes.
 */
export async function upsertIdentity(deps: ApiDeps, identity: IdentityUpsert): Promise<IdentityUpsertResult> {
  if (identity.provider === 'github' && !identity.user_name) {
    throw new AppError('VALIDATION_ERROR', {
      message: 'identity is invalid (user_name: is required for github: send the GitHub login)',
      details: [{ path: 'user_name', message: 'is required for github' }],
    });
  }
  if (identity.provider === 'google' && !identity.email) {
    throw new AppError('VALIDATION_ERROR', {
      message: 'identity is invalid (email: is required for google: send the verified e-mail)',
      details: [{ path: 'email', message: 'is required for google' }],
    });
  }
  // As the service role: app.upsert_identity() (SECURITY DEFINER) writes the auth schema, no request role can.
  const result = await deps.db.asRequest({ role: 'service_role', claims: {} }, (tx) =>
    repos.users.upsertIdentity(tx, {
      provider: identity.provider,
      providerUserId: identity.provider_user_id,
      userName: identity.user_name,
      email: identity.email,
      name: identity.name,
      avatarUrl: identity.avatar_url,
    }),
  );
  return { user_id: result.userId, owner: result.owner, created: result.created };
}
