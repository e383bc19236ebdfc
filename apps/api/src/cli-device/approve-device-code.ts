import type { DeviceApprove, DeviceApproveResult } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext, requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';
import { hashUserCode } from './device-codes';

/**
 * A signed-in person approves (or denies) the code their CLI shows. Only a user session may: a vendor key or the
 * service key approving would let a key mint keys. The key itself is made when the CLI collects it.
 */
export async function approveDeviceCode(
  deps: ApiDeps,
  req: { principal: Principal; input: DeviceApprove },
): Promise<DeviceApproveResult['data']> {
  const { principal, input } = req;
  requireAuthenticated(principal);
  if (principal.kind !== 'user') {
    throw new AppError('FORBIDDEN', {
      message: 'only a signed-in person may approve a CLI login: open the link `mp login` printed and sign in',
    });
  }
  const owner = await deps.db.asRequest(readContext(principal), (tx) => ownerOf(tx, principal));
  const now = new Date(deps.now());
  const shown = `${input.user_code.replace(/-/g, '').slice(0, 4)}-${input.user_code.replace(/-/g, '').slice(4)}`;
  return deps.db.asRequest({ role: 'service_role', claims: {} }, async (tx) => {
    const row = await repos.deviceCodes.lockPendingByUserCode(tx, hashUserCode(input.user_code), now);
    if (!row) {
      throw new AppError('NOT_FOUND', {
        message: `no login is waiting for code "${shown}": it expired or was already answered; run \`mp login\` again`,
        details: [{ path: 'user_code', message: 'is not a pending code' }],
      });
    }
    await repos.deviceCodes.decide(tx, row.id, {
      approve: input.approve,
      userId: principal.userId,
      owner,
      decidedAt: now,
    });
    return { status: input.approve ? 'approved' : 'denied', owner, client_name: row.clientName };
  });
}
