import type { Model } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

// Rows are selected in the wire shape of a registered model (`Model` of @neuronetiq/contracts).

export const modelRepository = {
  /** Registers a model; returns null when (owner, model_id) already exists. */
  async register(tx: Queryable, m: Omit<Model, 'created_at'>): Promise<Model | null> {
    const rows = await tx.query<Model>(
      `INSERT INTO ml.models (owner, model_id, name, description, visibility) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (owner, model_id) DO NOTHING
       RETURNING owner, model_id, name, description, visibility, created_at`,
      [m.owner, m.model_id, m.name, m.description, m.visibility],
    );
    return rows[0] ?? null;
  },

  /** Models visible to the caller of `tx` (public ones, and the caller's own). */
  async find(tx: Queryable, q: { owner?: string; limit: number }): Promise<Model[]> {
    const params: unknown[] = [];
    const where = q.owner ? `WHERE owner = $${params.push(q.owner)}` : '';
    return tx.query<Model>(
      `SELECT owner, model_id, name, description, visibility, created_at FROM ml.models ${where}
       ORDER BY owner, model_id LIMIT $${params.push(q.limit)}`,
      params,
    );
  },

  /**
   * Changes a model's name, description or visibility; null when no such model is visible to the caller of `tx`
   * (RLS: only its owner may update it).
   */
  async update(
    tx: Queryable,
    key: { owner: string; modelId: string },
    patch: {
      name?: string | undefined;
      description?: string | undefined;
      visibility?: Model['visibility'] | undefined;
    },
  ): Promise<Model | null> {
    const rows = await tx.query<Model>(
      `UPDATE ml.models SET name = coalesce($3, name), description = coalesce($4, description),
              visibility = coalesce($5, visibility)
       WHERE owner = $1 AND model_id = $2
       RETURNING owner, model_id, name, description, visibility, created_at`,
      [key.owner, key.modelId, patch.name ?? null, patch.description ?? null, patch.visibility ?? null],
    );
    return rows[0] ?? null;
  },

  /** Which of `modelIds` are registered to `owner`. */
  async registered(tx: Queryable, owner: string, modelIds: readonly string[]): Promise<Set<string>> {
    const rows = await tx.query<{ model_id: string }>(
      'SELECT model_id FROM ml.models WHERE owner = $1 AND model_id = ANY($2::text[])',
      [owner, [...new Set(modelIds)]],
    );
    return new Set(rows.map((r) => r.model_id));
  },
};
