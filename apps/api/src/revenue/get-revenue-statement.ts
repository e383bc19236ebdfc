import { type RevenueQuery, type RevenueStatement, revenueStatementCsv } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { ownerOf } from '../me/owner-of';
import { computeStatement, monthBounds, statementJson } from './compute-statement';

const SERVICE = { role: 'service_role', claims: {} } as const;

/**
 * A vendor's statement for a month. A month that has ended is closed at its first read: computed once from the rows,
 * stored with its exact bytes, and served from storage ever after (later refunds count in the month they are made).
 * The current month is computed on every read and not stored.
 */
export async function getRevenueStatement(
  deps: ApiDeps,
  req: { principal: Principal; query: RevenueQuery },
): Promise<{ statement: RevenueStatement; body: string; csv: string; closed: boolean }> {
  if (req.principal.kind === 'anonymous') {
    throw new AppError('UNAUTHENTICATED', { message: 'sign in or send a vendor API key to read revenue' });
  }
  const owner =
    req.principal.kind === 'service'
      ? req.query.owner
      : await deps.db.asRequest(readContext(req.principal), (tx) => ownerOf(tx, req.principal));
  if (!owner) {
    throw new AppError('VALIDATION_ERROR', {
      message: 'the service key reads a statement of one owner: name it in "owner"',
      details: [{ path: 'owner', message: 'is required for the service key' }],
    });
  }
  if (req.query.owner && req.query.owner !== owner) {
    throw new AppError('FORBIDDEN', {
      message: `owner "${owner}" may not read the revenue of owner "${req.query.owner}"`,
    });
  }
  const { startMs, endMs } = monthBounds(req.query.month);
  const nowMs = deps.now();
  if (startMs > nowMs) {
    throw new AppError('VALIDATION_ERROR', {
      message: `month ${req.query.month} has not started yet`,
      details: [{ path: 'month', message: 'must not be in the future' }],
    });
  }
  const closed = endMs <= nowMs;
  return deps.db.asRequest(SERVICE, async (tx) => {
    const stored = closed ? await repos.revenue.findClosed(tx, owner, req.query.month) : null;
    if (stored) return { statement: JSON.parse(stored.body), ...stored, closed };
    const inputs = await repos.revenue.inputs(tx, owner, startMs, endMs);
    const statement = computeStatement({
      owner,
      month: req.query.month,
      platformFeeBps: inputs.platformFeeBps,
      subscriptions: inputs.subscriptions.map((s) => ({
        id: s.id,
        subscriber: s.subscriber,
        modelId: s.model_id,
        startedAtMs: Date.parse(s.started_at),
        endedAtMs: s.ended_at === null ? null : Date.parse(s.ended_at),
        unpaid: inputs.unpaid
          .filter((u) => u.subscription_id === s.id)
          .map((u) => ({ sinceMs: Date.parse(u.since), untilMs: u.until === null ? null : Date.parse(u.until) })),
      })),
      prices: inputs.prices.map((p) => ({
        modelId: p.model_id,
        effectiveFromMs: Date.parse(p.effective_from),
        pricePence: p.price_pence,
      })),
      refunds: inputs.refunds.map((r) => ({
        id: r.id,
        subscriptionId: r.subscription_id,
        amountPence: r.amount_pence,
        atMs: Date.parse(r.at),
      })),
    });
    const body = statementJson(statement);
    const csv = revenueStatementCsv(statement);
    if (!closed) return { statement, body, csv, closed };
    const kept = await repos.revenue.close(tx, {
      owner,
      month: req.query.month,
      feeBps: statement.platform_fee_bps,
      gross: statement.gross_pence,
      fee: statement.fee_pence,
      vendor: statement.vendor_pence,
      body,
      csv,
    });
    return { statement: JSON.parse(kept.body), ...kept, closed };
  });
}
