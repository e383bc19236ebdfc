import { DEFAULT_API_KEY_SCOPES, type DeviceTokenError, type DeviceTokenResponse } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { ApiDeps } from '../deps';
import { keyLimitReached } from '../keys/keys';
import { hashCode } from './device-codes';

const MAX_INTERVAL_S = 300;

export type DeviceTokenOutcome =
  | { ok: true; token: DeviceTokenResponse }
  | { ok: false; error: DeviceTokenError; message: string; interval?: number };

const fail = (error: DeviceTokenError, message: string, interval?: number): DeviceTokenOutcome => ({
  ok: false,
  error,
  message,
  ...(interval ? { interval } : {}),
});

/**
 * One poll of the CLI (RFC 8628 §3.4-3.5). Polls of a code are serialised by a row lock; polling faster than the
 * code's interval answers slow_down and raises the interval by 5 s. Once approved, the vendor key is created here, in
 * the same transaction that marks the code collected, so it is handed out exactly once and never stored in clear.
 */
export async function pollDeviceToken(deps: ApiDeps, req: { deviceCode: string }): Promise<DeviceTokenOutcome> {
  const now = new Date(deps.now());
  return deps.db.asRequest({ role: 'service_role', claims: {} }, async (tx) => {
    const row = await repos.deviceCodes.lockByDeviceCode(tx, hashCode(req.deviceCode));
    if (!row || row.status === 'delivered') {
      return fail('expired_token', 'this login code is unknown or was already used; run `mp login` again');
    }
    if (Date.parse(row.expiresAt) <= now.getTime()) {
      return fail('expired_token', 'this login code expired before it was approved; run `mp login` again');
    }
    if (row.status === 'denied') return fail('access_denied', 'the login was denied in the browser');
    const sinceLastMs = row.lastPolledAt ? now.getTime() - Date.parse(row.lastPolledAt) : Number.POSITIVE_INFINITY;
    if (sinceLastMs < row.intervalS * 1000) {
      const interval = Math.min(row.intervalS + 5, MAX_INTERVAL_S);
      await repos.deviceCodes.recordPoll(tx, row.id, { polledAt: now, intervalS: interval });
      return fail('slow_down', `polled too fast; wait ${interval} s between polls`, interval);
    }
    await repos.deviceCodes.recordPoll(tx, row.id, { polledAt: now, intervalS: row.intervalS });
    if (row.status === 'pending') {
      return fail('authorization_pending', 'waiting for the login to be approved in the browser', row.intervalS);
    }
    const owner = row.owner as string;
    // The key is the approving user's doing: the audit log records them, not the service role.
    if (row.userId) {
      await tx.query("SELECT set_config('request.jwt.claims', $1, true)", [
        JSON.stringify({ role: 'service_role', sub: row.userId }),
      ]);
    }
    const created = await repos.apiKeys.create(tx, {
      owner,
      userId: row.userId,
      name: `mp login: ${row.clientName}`.slice(0, 80),
      scopes: [...DEFAULT_API_KEY_SCOPES],
    });
    if (created === 'limit') {
      return fail('access_denied', `${keyLimitReached(owner).message} in the dashboard, then run \`mp login\` again`);
    }
    const { key, record } = created;
    await repos.deviceCodes.markDelivered(tx, row.id, record.id);
    return { ok: true, token: { owner, key_id: record.id, api_key: key } };
  });
}
