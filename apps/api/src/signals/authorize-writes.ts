import { type Queryable, repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';

/**
 * Why a vendor key may not write a row, or null when it may: a key writes only for its own owner and only for models
 * registered to that owner. The service principal may write for any owner. A consensus (any principal) may list as
 * contributors only models registered to its owner.
 */
export async function findWriteViolations(
  tx: Queryable,
  principal: Principal,
  rows: readonly { owner: string; model_id?: string; contributors?: readonly { model_id: string }[] }[],
): Promise<(string | null)[]> {
  const own = await ownerViolations(tx, principal, rows);
  const contributors = await contributorViolations(tx, rows);
  return rows.map((_, i) => own[i] ?? contributors[i] ?? null);
}

async function contributorViolations(
  tx: Queryable,
  rows: readonly { owner: string; contributors?: readonly { model_id: string }[] }[],
): Promise<(string | null)[]> {
  const wanted = new Map<string, Set<string>>();
  for (const r of rows) {
    for (const c of r.contributors ?? []) {
      const ids = wanted.get(r.owner) ?? new Set<string>();
      ids.add(c.model_id);
      wanted.set(r.owner, ids);
    }
  }
  const registered = new Map<string, Set<string>>();
  for (const [owner, ids] of wanted) registered.set(owner, await repos.models.registered(tx, owner, [...ids]));
  return rows.map((r) => {
    const missing = (r.contributors ?? []).find((c) => !registered.get(r.owner)?.has(c.model_id));
    return missing
      ? `contributor "${missing.model_id}" is not a model registered to owner "${r.owner}"; a consensus lists only its owner's registered models (POST /api/models)`
      : null;
  });
}

async function ownerViolations(
  tx: Queryable,
  principal: Principal,
  rows: readonly { owner: string; model_id?: string }[],
): Promise<(string | null)[]> {
  if (principal.kind === 'service') return rows.map(() => null);
  if (principal.kind !== 'vendor') return rows.map(() => 'only the service key or a vendor API key may write');
  const modelIds = rows.filter((r) => r.owner === principal.owner && r.model_id).map((r) => r.model_id as string);
  const registered = modelIds.length ? await repos.models.registered(tx, principal.owner, modelIds) : new Set<string>();
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
