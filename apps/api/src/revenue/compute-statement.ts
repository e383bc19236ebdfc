// A vendor's monthly revenue statement, in integer pence, from its subscriptions, price history and refunds. Pure: the
// same rows give the same bytes. The rules (docs/revenue.md):
//   * Active days: a UTC day of the month counts when the subscription was active and paid at any moment of it (the
//     day of subscribing and the day of cancelling both count; so do the day a renewal payment failed and the day it
//     was paid again). A day wholly inside an unpaid (past_due) stretch is not billed.
//   * Price of a day: the newest price whose effective_from is before the day's end (a change counts from its day).
//   * A subscription's gross = round half up (Σ price of its active days / days in the month), in pence.
//   * A refund made in the month is a line of its own with a negative gross.
//   * Platform fee = round half up (total gross × fee bps / 10,000); vendor share = gross − fee.
//   * The fee is spread over the lines by the largest-remainder rule: each line gets ⌊gross × bps / 10,000⌋ and the
//     pence left over go, one each, to the lines with the largest remainders (ties: line order). So the lines' fees sum
//     to the platform fee, every line's fee and vendor share sum to its gross, and the totals sum to the gross.

import type { RevenueStatement } from '@neuronetiq/contracts';

export interface StatementSubscription {
  id: string;
  subscriber: string;
  modelId: string;
  startedAtMs: number;
  endedAtMs: number | null;
  /** Unpaid (past_due) stretches: from a failed renewal until an invoice was paid (null: still unpaid). */
  unpaid?: readonly { sinceMs: number; untilMs: number | null }[];
}

/** [start, end) stretches in which the subscription was active and paid (end Infinity: still running). */
function paidStretches(s: StatementSubscription): [number, number][] {
  let stretches: [number, number][] = [[s.startedAtMs, s.endedAtMs ?? Number.POSITIVE_INFINITY]];
  for (const u of s.unpaid ?? []) {
    const until = u.untilMs ?? Number.POSITIVE_INFINITY;
    stretches = stretches.flatMap(([a, b]): [number, number][] => {
      if (until <= a || u.sinceMs >= b) return [[a, b]];
      // What is left either side; an empty piece (a failure and a payment at the same instant) is no moment paid. (A
      // subscription that starts and ends at one instant is untouched and keeps its day, as before.)
      const pieces: [number, number][] = [
        [a, Math.min(b, u.sinceMs)],
        [Math.max(a, until), b],
      ];
      return pieces.filter(([x, y]) => x < y);
    });
  }
  return stretches;
}

export interface StatementPrice {
  modelId: string;
  effectiveFromMs: number;
  pricePence: number;
}

export interface StatementRefund {
  id: string;
  subscriptionId: string;
  amountPence: number;
  atMs: number;
}

/** The wire shape of a statement and of its lines (`@neuronetiq/contracts`). */
export type Statement = RevenueStatement;
type StatementLine = RevenueStatement['lines'][number];

const DAY_MS = 86_400_000;

/** [start, end) of a `YYYY-MM` month in UTC epoch milliseconds. */
export function monthBounds(month: string): { startMs: number; endMs: number; days: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const startMs = Date.UTC(y, m - 1, 1);
  const endMs = Date.UTC(y, m, 1);
  return { startMs, endMs, days: Math.round((endMs - startMs) / DAY_MS) };
}

/** a / b rounded half up, for integers with b > 0 (exact: no floating point beyond safe integers). */
function divideHalfUp(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

function priceOn(prices: readonly StatementPrice[], modelId: string, dayEndMs: number): number {
  let best: StatementPrice | undefined;
  for (const p of prices) {
    if (p.modelId !== modelId || p.effectiveFromMs >= dayEndMs) continue;
    if (!best || p.effectiveFromMs > best.effectiveFromMs) best = p;
  }
  return best?.pricePence ?? 0;
}

export function computeStatement(input: {
  owner: string;
  month: string;
  platformFeeBps: number;
  subscriptions: readonly StatementSubscription[];
  prices: readonly StatementPrice[];
  refunds: readonly StatementRefund[];
}): Statement {
  const { startMs, endMs, days } = monthBounds(input.month);
  const lines: Omit<StatementLine, 'fee_pence' | 'vendor_pence'>[] = [];
  const subscriptions = [...input.subscriptions].sort((a, b) => a.startedAtMs - b.startedAtMs || cmp(a.id, b.id));
  for (const s of subscriptions) {
    const stretches = paidStretches(s);
    let activeDays = 0;
    let pricePenceDays = 0;
    for (let d = startMs; d < endMs; d += DAY_MS) {
      const active = stretches.some(([a, b]) => a < d + DAY_MS && b > d);
      if (!active) continue;
      activeDays++;
      pricePenceDays += priceOn(input.prices, s.modelId, d + DAY_MS);
    }
    if (activeDays === 0) continue;
    lines.push({
      kind: 'subscription',
      ref: s.id,
      subscription_id: s.id,
      subscriber: s.subscriber,
      model_id: s.modelId,
      active_days: activeDays,
      gross_pence: divideHalfUp(pricePenceDays, days),
    });
  }
  const bySubscription = new Map(input.subscriptions.map((s) => [s.id, s]));
  const refunds = input.refunds
    .filter((r) => r.atMs >= startMs && r.atMs < endMs)
    .sort((a, b) => a.atMs - b.atMs || cmp(a.id, b.id));
  for (const r of refunds) {
    const s = bySubscription.get(r.subscriptionId);
    lines.push({
      kind: 'refund',
      ref: r.id,
      subscription_id: r.subscriptionId,
      subscriber: s?.subscriber ?? '',
      model_id: s?.modelId ?? '',
      active_days: 0,
      gross_pence: -r.amountPence,
    });
  }

  const bps = input.platformFeeBps;
  const gross = lines.reduce((sum, l) => sum + l.gross_pence, 0);
  const fee = divideHalfUp(gross * bps, 10_000);
  const base = lines.map((l) => Math.floor((l.gross_pence * bps) / 10_000));
  const remainders = lines.map((l, i) => l.gross_pence * bps - (base[i] as number) * 10_000);
  let left = fee - base.reduce((a, b) => a + b, 0);
  const order = lines.map((_, i) => i).sort((a, b) => (remainders[b] as number) - (remainders[a] as number) || a - b);
  const fees = [...base];
  for (const i of order) {
    if (left <= 0) break;
    fees[i] = (fees[i] as number) + 1;
    left--;
  }
  const full = lines.map((l, i) => ({
    ...l,
    fee_pence: fees[i] as number,
    vendor_pence: l.gross_pence - (fees[i] as number),
  }));
  return {
    owner: input.owner,
    month: input.month,
    days_in_month: days,
    platform_fee_bps: bps,
    gross_pence: gross,
    fee_pence: fee,
    vendor_pence: gross - fee,
    lines: full,
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The statement as canonical JSON (fixed key order, no whitespace): what a closed month stores and serves. */
export function statementJson(s: Statement): string {
  return JSON.stringify(s);
}
