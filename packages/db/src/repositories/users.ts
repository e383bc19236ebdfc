import type { Queryable } from '../client';

export interface UserRecord {
  user_id: string;
  owner: string;
  provider: string;
  username: string | null;
  created_at: string;
}

export const userRepository = {
  /**
   * The caller's owner, created at first sign-in from the verified identity (app.ensure_user(); see its comment in
   * the migration for the collision rule). `tx` must run as the signed-in user.
   */
  async ensure(tx: Queryable): Promise<UserRecord> {
    await tx.query('SELECT app.ensure_user()');
    const rows = await tx.query<UserRecord>(
      'SELECT user_id, owner, provider, username, created_at FROM app.users WHERE user_id = auth.uid()',
    );
    return rows[0] as UserRecord;
  },
  upsertIdentity,
};

/** What an OAuth provider verified about a user, as the web server reports it (IdentityUpsert of the contracts). */
export interface VerifiedIdentity {
  provider: 'github' | 'google';
  providerUserId: string;
  userName?: string | undefined;
  email?: string | undefined;
  name?: string | undefined;
  avatarUrl?: string | undefined;
}

/**
 * Upserts `auth.users` and `auth.identities` for a verified identity, keyed on (provider, provider user id), then
 * assigns the owner once with app.ensure_user() — exactly as a Supabase sign-in followed by the user's first request
 * would. A later sign-in (a renamed GitHub login, a new avatar) refreshes the identity's data and never the owner.
 * It runs in app.upsert_identity() (SECURITY DEFINER: the request roles cannot write the `auth` schema), so `tx` runs
 * as the service role (or the owner).
 */
async function upsertIdentity(
  tx: Queryable,
  identity: VerifiedIdentity,
): Promise<{ userId: string; owner: string; created: boolean }> {
  // Supabase's identity_data field names: ensure_user() reads user_name (GitHub) and email (Google).
  const identityData = {
    sub: identity.providerUserId,
    provider_id: identity.providerUserId,
    ...(identity.userName ? { user_name: identity.userName, preferred_username: identity.userName } : {}),
    ...(identity.email ? { email: identity.email, email_verified: true } : {}),
    ...(identity.name ? { full_name: identity.name, name: identity.name } : {}),
    ...(identity.avatarUrl ? { avatar_url: identity.avatarUrl } : {}),
  };
  const [row] = await tx.query<{ user_id: string; owner: string; created: boolean }>(
    'SELECT user_id, owner, created FROM app.upsert_identity($1, $2, $3, $4)',
    [identity.provider, identity.providerUserId, identity.email ?? null, identityData],
  );
  const { user_id: userId, owner, created } = row as { user_id: string; owner: string; created: boolean };
  return { userId, owner, created };
}
