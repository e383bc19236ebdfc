// A subscriber's webhooks: register an endpoint (its signing secret is shown once), read the delivery log, replay a
// delivery (same delivery id: the receiver de-duplicates). The cron delivers (apps/cron/src/webhooks).
import { randomBytes } from 'node:crypto';
import type { RegisterWebhook } from '@neuronetiq/contracts';
import { repos, type WebhookDeliveryRow } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';

const SERVICE = { role: 'service_role', claims: {} } as const;

function requireSubscriberPrincipal(p: Principal): void {
  if (p.kind !== 'user' && p.kind !== 'vendor') {
    throw new AppError(p.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN', {
      message: 'webhooks belong to a subscriber: sign in, or use your API key',
    });
  }
}

export async function registerWebhookEndpoint(
  deps: ApiDeps,
  req: { principal: Principal; body: RegisterWebhook },
): Promise<{ id: string; url: string; created_at: string; secret: string }> {
  requireSubscriberPrincipal(req.principal);
  const subscriber = await deps.db.asRequest(readContext(req.principal), (tx) => ownerOf(tx, req.principal));
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const row = await deps.db.asRequest(SERVICE, (tx) =>
    repos.webhooks.registerEndpoint(tx, { subscriber, url: req.body.url, secret }),
  );
  return { ...row, secret };
}

export async function findWebhookDeliveries(
  deps: ApiDeps,
  req: { principal: Principal; limit: number },
): Promise<WebhookDeliveryRow[]> {
  requireSubscriberPrincipal(req.principal);
  return deps.db.asRequest(readContext(req.principal), (tx) => repos.webhooks.list(tx, req.limit));
}

export async function replayWebhookDelivery(deps: ApiDeps, req: { principal: Principal; id: string }): Promise<void> {
  requireSubscriberPrincipal(req.principal);
  const subscriber = await deps.db.asRequest(readContext(req.principal), (tx) => ownerOf(tx, req.principal));
  const ok = await deps.db.asRequest(SERVICE, (tx) => repos.webhooks.replay(tx, subscriber, req.id, deps.now()));
  if (!ok) throw new AppError('NOT_FOUND', { message: `No delivery "${req.id}" of yours` });
}
