import type { Queryable } from '../client';

export interface UserRecord {
  user_id: string;
  owner: string;
  provider: string;
  username: string | null;
  created_at: string;
}

export function createUserRepository() {
  return {
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
  };
}
