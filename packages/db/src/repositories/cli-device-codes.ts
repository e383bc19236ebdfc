import type { Queryable } from '../client';

export const DEVICE_CODE_STATUSES = ['pending', 'approved', 'denied', 'delivered'] as const;
export type DeviceCodeStatus = (typeof DEVICE_CODE_STATUSES)[number];

/** A device-flow row as the api's use cases see it; the code hashes never leave this file. */
export interface DeviceCodeRecord {
  id: string;
  status: DeviceCodeStatus;
  clientName: string;
  expiresAt: string;
  intervalS: number;
  lastPolledAt: string | null;
  userId: string | null;
  owner: string | null;
}

const COLUMNS = `id, status, client_name AS "clientName", expires_at AS "expiresAt", interval_s AS "intervalS",
  last_polled_at AS "lastPolledAt", user_id AS "userId", owner`;

/** True when PostgreSQL refused a row because another pending code has the same user code. */
export const isUserCodeTaken = (err: unknown): boolean =>
  (err as { code?: string; constraint?: string }).code === '23505' &&
  /user_code/.test((err as { constraint?: string; message?: string }).constraint ?? String((err as Error).message));

/**
 * The device codes of `mp login` (RFC 8628). Every method runs in the caller's transaction, as the service role: the
 * api checks who may do what before calling.
 */
export const deviceCodeRepository = {
  /** Stores a new pending code; throws what `isUserCodeTaken` recognises when the user code is in use. */
  async create(
    tx: Queryable,
    input: {
      deviceCodeHash: string;
      userCodeHash: string;
      clientName: string;
      createdAt: Date;
      expiresAt: Date;
      intervalS: number;
    },
  ): Promise<DeviceCodeRecord> {
    const rows = await tx.query<DeviceCodeRecord>(
      `INSERT INTO app.cli_device_codes
         (device_code_hash, user_code_hash, client_name, created_at, expires_at, interval_s)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [
        input.deviceCodeHash,
        input.userCodeHash,
        input.clientName,
        input.createdAt.toISOString(),
        input.expiresAt.toISOString(),
        input.intervalS,
      ],
    );
    return rows[0] as DeviceCodeRecord;
  },

  /** Forgets codes that expired more than a day ago (they answer expired_token until then). */
  async purgeExpired(tx: Queryable, now: Date): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `WITH gone AS (DELETE FROM app.cli_device_codes WHERE expires_at < $1::timestamptz - interval '1 day' RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [now.toISOString()],
    );
    return rows[0]?.n ?? 0;
  },

  /** The row of a device code, locked for the rest of the transaction (polls of one code are serialised). */
  async lockByDeviceCode(tx: Queryable, deviceCodeHash: string): Promise<DeviceCodeRecord | null> {
    const rows = await tx.query<DeviceCodeRecord>(
      `SELECT ${COLUMNS} FROM app.cli_device_codes WHERE device_code_hash = $1 FOR UPDATE`,
      [deviceCodeHash],
    );
    return rows[0] ?? null;
  },

  /** The pending, unexpired code a person typed, locked; null when there is none. */
  async lockPendingByUserCode(tx: Queryable, userCodeHash: string, now: Date): Promise<DeviceCodeRecord | null> {
    const rows = await tx.query<DeviceCodeRecord>(
      `SELECT ${COLUMNS} FROM app.cli_device_codes
       WHERE user_code_hash = $1 AND status = 'pending' AND expires_at > $2 FOR UPDATE`,
      [userCodeHash, now.toISOString()],
    );
    return rows[0] ?? null;
  },

  async recordPoll(tx: Queryable, id: string, input: { polledAt: Date; intervalS: number }): Promise<void> {
    await tx.query('UPDATE app.cli_device_codes SET last_polled_at = $2, interval_s = $3 WHERE id = $1', [
      id,
      input.polledAt.toISOString(),
      input.intervalS,
    ]);
  },

  /** Records the decision on a pending code. */
  async decide(
    tx: Queryable,
    id: string,
    input: { approve: boolean; userId: string; owner: string; decidedAt: Date },
  ): Promise<void> {
    await tx.query(
      `UPDATE app.cli_device_codes SET status = $2, user_id = $3, owner = $4, decided_at = $5
       WHERE id = $1 AND status = 'pending'`,
      [id, input.approve ? 'approved' : 'denied', input.userId, input.owner, input.decidedAt.toISOString()],
    );
  },

  /** Marks an approved code collected, with the key made for it. */
  async markDelivered(tx: Queryable, id: string, keyId: string): Promise<void> {
    await tx.query(`UPDATE app.cli_device_codes SET status = 'delivered', key_id = $2 WHERE id = $1`, [id, keyId]);
  },
};
