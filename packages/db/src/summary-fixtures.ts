// Fixtures of the summary tests (score-summary.test.ts, signal-summary.test.ts): a seeded generator, and the viewers
// and models both read as: two vendors' users, a fan subscribed to va/pub1 and another user; the models given.
import { randomUUID } from 'node:crypto';
import type { Queryable } from './client';

/** mulberry32: a small seeded generator, so a failure can be replayed with SUMMARY_SEED. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The users (by owner name), the models ([owner, model, visibility]) and fan's subscription to va/pub1. */
export async function seedViewers(
  db: Queryable,
  users: Record<string, string>,
  models: readonly (readonly [string, string, 'public' | 'private'])[],
): Promise<void> {
  for (const [name, id] of Object.entries(users)) {
    await db.query('INSERT INTO auth.users (id, email) VALUES ($1, $2)', [id, `${name}@example.org`]);
    await db.query('INSERT INTO app.users (user_id, owner, provider, username) VALUES ($1, $2, $3, $4)', [
      id,
      name,
      'github',
      name,
    ]);
  }
  for (const [owner, model, visibility] of models) {
    await db.query('INSERT INTO ml.models (owner, model_id, name, visibility) VALUES ($1, $2, $3, $4)', [
      owner,
      model,
      model,
      visibility,
    ]);
  }
  await db.query(
    `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
     VALUES ('fan', 'va', 'pub1', now() - interval '1 day', 'test', $1)`,
    [randomUUID()],
  );
}
