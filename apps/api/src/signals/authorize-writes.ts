import type { createModelRepository, Queryable } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';

/**
 * Why a vendor key may not write a row, or null when it may: a key writes only for its own owner and only for models
 * registered to that owner. The service principal may write for any owner.
 */
export async function findWriteViolations(
  models: ReturnType<typeof createModelRepository>,
  tx: Queryable,
  principal: Principal,
  rows: readonly { owner: string; model_id?: string }[],
): Promise<(string | null)[]> {
  if (principal.kind === 'service') return rows.map(() => null);
  if (principal.kind !== 'vendor') return rows.map(() => 'only the service key or a vendor API key may write');
  const modelIds = rows.filter((r) => r.owner === principal.owner && r.model_id).map((r) => r.model_id as string);
  const registered = modelIds.length ? await models.registered(tx, principal.owner, modelIds) : new Set<string>();
  return rows.map((r) => {
    if (r.owner !== principal.owner) {
      return `API key of owner "${principal.owner}" may not write for owner "${r.owner}"`;
    }
    if (r.model_id && !registered.has(r.model_id)) {
      return `Model "${r.model_id}" is not registered to owner "${principal.owner}"; register it first (POST /api/models or \`mp models register\`)`;
    }
    return null;
  });
}
