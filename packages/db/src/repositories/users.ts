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
 * Run it as the connecting (owner) user: it writes the `auth` schema.
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
  // Two first sign-ins of one identity at once must not create two users: serialise per identity.
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `identity:${identity.provider}:${identity.providerUserId}`,
  ]);
  const [existing] = await tx.query<{ user_id: string }>(
    'SELECT user_id FROM auth.identities WHERE provider = $1 AND provider_id = $2',
    [identity.provider, identity.providerUserId],
  );
  let userId = existing?.user_id;
  if (userId) {
    await tx.query(
      `UPDATE auth.identities SET identity_data = $3, email = $4, updated_at = now()
       WHERE provider = $1 AND provider_id = $2`,
      [identity.provider, identity.providerUserId, identityData, identity.email ?? null],
    );
    await tx.query(
      `UPDATE auth.users SET email = coalesce($2, email), raw_user_meta_data = $3, updated_at = now() WHERE id = $1`,
      [userId, identity.email ?? null, identityData],
    );
  } else {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
       VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id`,
      [identity.email ?? null, { provider: identity.provider, providers: [identity.provider] }, identityData],
    );
    userId = (row as { id: string }).id;
    await tx.query(
      `INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, email) VALUES ($1, $2, $3, $4, $5)`,
      [identity.providerUserId, userId, identityData, identity.provider, identity.email ?? null],
    );
  }
  // ensure_user() maps auth.uid(), read from the request claims: act as that user for this one call.
  await tx.query(`SELECT set_config('request.jwt.claims', $1, true)`, [
    JSON.stringify({ sub: userId, role: 'authenticated' }),
  ]);
  const [mapped] = await tx.query<{ owner: string }>('SELECT app.ensure_user() AS owner');
  await tx.query(`SELECT set_config('request.jwt.claims', '', true)`);
  return { userId, owner: (mapped as { owner: string }).owner, created: !existing };
}
