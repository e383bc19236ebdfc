import type { Queryable } from '../client';

/** One delivery as its subscriber reads it (the log). */
export interface WebhookDeliveryRow {
  id: string;
  endpoint_id: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  payload: Record<string, unknown>;
}

/** A leased delivery: what the sender needs to POST it. */
export interface DueWebhook {
  id: string;
  url: string;
  secret: string;
  attempts: number;
  body: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Subscriber webhooks (supabase/migrations/*_subscriber_webhooks.sql): endpoints, the outbox and its log. */
export const webhookRepository = {
  async registerEndpoint(tx: Queryable, e: { subscriber: string; url: string; secret: string }) {
    const [row] = await tx.query<{ id: string; url: string; created_at: string }>(
      `INSERT INTO app.webhook_endpoints (subscriber, url, secret) VALUES ($1, $2, $3) RETURNING id, url, created_at`,
      [e.subscriber, e.url, e.secret],
    );
    return row as { id: string; url: string; created_at: string };
  },

  /**
   * Leases up to `limit` due deliveries (SKIP LOCKED: two senders never take the same one), counting the attempt and
   * pushing next_attempt_at past the lease so that a sender that dies leaves them to be retried.
   */
  async lease(db: Queryable, q: { nowMs: number; limit: number; leaseMs: number }): Promise<DueWebhook[]> {
    return db.query<DueWebhook>(
      `WITH due AS (
         SELECT id FROM app.webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE app.webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $3
       FROM due, app.webhook_endpoints e
       WHERE d.id = due.id AND e.id = d.endpoint_id
       RETURNING d.id, e.url, e.secret, d.attempts, d.payload::text AS body`,
      [iso(q.nowMs), q.limit, iso(q.nowMs + q.leaseMs)],
    );
  },

  async delivered(db: Queryable, id: string, status: number, nowMs: number): Promise<void> {
    await db.query(
      `UPDATE app.webhook_deliveries SET status = 'delivered', last_status = $2, last_error = NULL, delivered_at = $3
       WHERE id = $1`,
      [id, status, iso(nowMs)],
    );
  },

  /** A failed attempt: retried at `retryAtMs`, or dead-lettered when null. */
  async failed(db: Queryable, id: string, f: { status: number | null; error: string; retryAtMs: number | null }) {
    await db.query(
      `UPDATE app.webhook_deliveries
       SET last_status = $2, last_error = $3, status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
           next_attempt_at = coalesce($4::timestamptz, next_attempt_at)
       WHERE id = $1`,
      [id, f.status, f.error.slice(0, 500), f.retryAtMs === null ? null : iso(f.retryAtMs)],
    );
  },

  /** The caller's deliveries (RLS), newest first. */
  async list(tx: Queryable, limit: number): Promise<WebhookDeliveryRow[]> {
    return tx.query<WebhookDeliveryRow>(
      `SELECT id, endpoint_id, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at,
              payload
       FROM app.webhook_deliveries ORDER BY created_at DESC, id LIMIT $1`,
      [limit],
    );
  },

  /** Sends one of the subscriber's deliveries again, with the same id (the receiver de-duplicates); false if none. */
  async replay(tx: Queryable, subscriber: string, id: string, nowMs: number): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE app.webhook_deliveries SET status = 'pending', next_attempt_at = $3, delivered_at = NULL
       WHERE id = $1 AND subscriber = $2 RETURNING 1`,
      [id, subscriber, iso(nowMs)],
    );
    return rows.length === 1;
  },
};
