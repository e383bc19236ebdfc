import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type ApiKey, type ApiKeyScope, MAX_ACTIVE_API_KEYS } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

// Key rows are selected in the wire shape of a listed key (`ApiKey` of @neuronetiq/contracts); `verify` also reads
// `key_hash`, which never leaves this file.

const KEY = /^mp_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const PUBLIC_COLUMNS = 'id, owner, user_id, name, prefix, scopes, created_at, last_used_at, revoked_at, expires_at';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** True when the string has the shape of a vendor key (`mp_<12>_<43>`); says nothing about validity. */
export const looksLikeApiKey = (s: string): boolean => KEY.test(s);

export const apiKeyRepository = {
  /**
   * Creates a key; the plaintext is returned once and only its sha256 is stored (256 random bits need no KDF).
   * Returns `limit` when the owner already holds `MAX_ACTIVE_API_KEYS` active keys, counted under the same per-owner
   * transaction lock as the table's trigger takes (which refuses the insert if anyone skips this check).
   */
  async create(
    tx: Queryable,
    input: {
      owner: string;
      userId: string | null;
      name: string;
      scopes: readonly ApiKeyScope[];
      expiresAt?: string | undefined;
    },
  ): Promise<{ key: string; record: ApiKey } | 'limit'> {
    const [count] = await tx.query<{ n: number }>(
      `SELECT pg_advisory_xact_lock(hashtextextended('app.api_keys:' || $1, 0)),
              (SELECT count(*)::int FROM app.api_keys
               WHERE owner = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS n`,
      [input.owner],
    );
    if ((count?.n ?? 0) >= MAX_ACTIVE_API_KEYS) return 'limit';
    const prefix = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12);
    const key = `mp_${prefix}_${randomBytes(32).toString('base64url')}`;
    const rows = await tx.query<ApiKey>(
      `INSERT INTO app.api_keys (owner, user_id, name, prefix, key_hash, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${PUBLIC_COLUMNS}`,
      [input.owner, input.userId, input.name, prefix, hashApiKey(key), input.scopes, input.expiresAt ?? null],
    );
    return { key, record: rows[0] as ApiKey };
  },

  /**
   * The unrevoked key record for a presented key, compared in constant time, or null. `db` must read app.api_keys
   * whole: the api passes `serviceStatements(pool)` (each statement a transaction of its own as the service role), as
   * its login role reads no table by itself. An expired key is returned (its `expires_at` in the past) so that the
   * caller can say so.
   */
  async verify(db: Queryable, presented: string): Promise<ApiKey | null> {
    const m = KEY.exec(presented);
    if (!m) return null;
    const rows = await db.query<ApiKey & { key_hash: string }>(
      `SELECT ${PUBLIC_COLUMNS}, key_hash FROM app.api_keys WHERE prefix = $1 AND revoked_at IS NULL`,
      [m[1]],
    );
    const row = rows[0];
    const expected = Buffer.from(row?.key_hash ?? '0'.repeat(64), 'hex');
    const actual = Buffer.from(hashApiKey(presented), 'hex');
    // Compare even when no row was found, so timing does not tell a valid prefix from an invalid one.
    const equal = timingSafeEqual(expected, actual);
    if (!row || !equal) return null;
    const { key_hash: _hash, ...record } = row;
    return record;
  },

  /** Sets a key's last_used_at; `db` as for `verify`. */
  async touch(db: Queryable, id: string): Promise<void> {
    await db.query('UPDATE app.api_keys SET last_used_at = now() WHERE id = $1', [id]);
  },

  /** Keys visible to the caller of `tx` (RLS: its own owner's). */
  async find(tx: Queryable, owner: string): Promise<ApiKey[]> {
    return tx.query<ApiKey>(`SELECT ${PUBLIC_COLUMNS} FROM app.api_keys WHERE owner = $1 ORDER BY created_at DESC`, [
      owner,
    ]);
  },

  /** Revokes a live key (of `owner`, when given); returns the record, or null when there is no such key. */
  async revoke(tx: Queryable, id: string, owner?: string): Promise<ApiKey | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await tx.query<ApiKey>(
      `UPDATE app.api_keys SET revoked_at = now()
       WHERE id = $1 AND ($2::text IS NULL OR owner = $2) AND revoked_at IS NULL
       RETURNING ${PUBLIC_COLUMNS}`,
      [id, owner ?? null],
    );
    return rows[0] ?? null;
  },
};
