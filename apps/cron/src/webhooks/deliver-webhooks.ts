// Delivers subscriber webhooks from the outbox (app.webhook_deliveries): each POST carries the delivery id
// (`NeuronetIQ-Delivery`, stable across retries and replays: the receiver processes each id once) and Stripe's
// signature scheme over timestamp and body (`NeuronetIQ-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`).
// A 2xx is delivered; anything else (or no answer within timeoutMs) is retried after baseMs × 2^(attempt − 1), capped
// at maxMs, and dead-lettered after maxAttempts.
import { createHmac } from 'node:crypto';
import { type Db, repos } from '@neuronetiq/db';

export interface WebhookDeliveryOptions {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  timeoutMs: number;
  /** Deliveries per pass, and how long a leased one is reserved for its sender. */
  batch: number;
  leaseMs: number;
}

export const WEBHOOK_DELIVERY_DEFAULTS: WebhookDeliveryOptions = {
  maxAttempts: 8,
  baseMs: 10_000,
  maxMs: 60 * 60_000,
  timeoutMs: 10_000,
  batch: 100,
  leaseMs: 60_000,
};

export function webhookSignature(secret: string, timestampS: number, body: string): string {
  return `t=${timestampS},v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** One pass over the due deliveries; returns what happened to them. */
export async function deliverWebhooks(
  db: Db,
  options: WebhookDeliveryOptions,
  deps: { nowMs: () => number; fetch?: typeof fetch },
): Promise<{ delivered: number; retried: number; dead: number }> {
  const send = deps.fetch ?? fetch;
  const due = await repos.webhooks.lease(db, { nowMs: deps.nowMs(), limit: options.batch, leaseMs: options.leaseMs });
  const counts = { delivered: 0, retried: 0, dead: 0 };
  for (const d of due) {
    let status: number | null = null;
    let error = '';
    try {
      const res = await send(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'neuronetiq-delivery': d.id,
          'neuronetiq-signature': webhookSignature(d.secret, Math.floor(deps.nowMs() / 1000), d.body),
        },
        body: d.body,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      await res.body?.cancel();
      if (res.ok) {
        await repos.webhooks.delivered(db, d.id, res.status, deps.nowMs());
        counts.delivered++;
        continue;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const dead = d.attempts >= options.maxAttempts;
    const backoff = Math.min(options.maxMs, options.baseMs * 2 ** (d.attempts - 1));
    await repos.webhooks.failed(db, d.id, { status, error, retryAtMs: dead ? null : deps.nowMs() + backoff });
    counts[dead ? 'dead' : 'retried']++;
  }
  return counts;
}
