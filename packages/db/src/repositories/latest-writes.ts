// What the signal and consensus repositories share: the outcome of a write, the receive time of its rows, the upsert
// and classify pair of statements, and the series filter of their reads.
import { TIMEFRAME_MS } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

/**
 * What happened to one item of a write:
 * - `stored`: new, or changed while its bar was still open;
 * - `unchanged`: identical to what is stored (a harmless retry);
 * - `immutable`: differs from what is stored, but its bar has closed — history is never rewritten.
 */
export type WriteOutcome = 'stored' | 'unchanged' | 'immutable';

export interface WriteOptions {
  /**
   * The server's receive time, one for all rows or one per row (single-signal requests written together keep their
   * own); a bar that closed before it makes the item late.
   */
  receivedAtMs: number | readonly number[];
}

/** Each row's receive time and whether its bar had closed then (computed here, one boolean per row). */
export function receipt(
  rows: readonly { bar_ts: string; timeframe: keyof typeof TIMEFRAME_MS }[],
  receivedAtMs: number | readonly number[],
): [boolean[], string[]] {
  if (typeof receivedAtMs === 'number') {
    const iso = new Date(receivedAtMs).toISOString();
    return [rows.map((p) => receivedAtMs > Date.parse(p.bar_ts) + TIMEFRAME_MS[p.timeframe]), rows.map(() => iso)];
  }
  const at = (i: number) => receivedAtMs[i] as number;
  return [
    rows.map((p, i) => at(i) > Date.parse(p.bar_ts) + TIMEFRAME_MS[p.timeframe]),
    rows.map((_, i) => new Date(at(i)).toISOString()),
  ];
}

/** Upsert then classify; `columns` are the eight input arrays shared by both statements. */
export async function write(
  tx: Queryable,
  sql: { upsert: string; skipped: string },
  columns: unknown[],
  tail: unknown[],
  count: number,
): Promise<WriteOutcome[]> {
  const [written] = await tx.query<{ n: number }>(sql.upsert, [...columns, ...tail]);
  const outcomes: WriteOutcome[] = Array.from({ length: count }, () => 'stored');
  if ((written?.n ?? 0) < count) {
    for (const r of await tx.query<{ idx: number; same: boolean }>(sql.skipped, columns)) {
      outcomes[r.idx] = r.same ? 'unchanged' : 'immutable';
    }
  }
  return outcomes;
}

export function seriesFilter(
  q: { symbol?: string; tf?: string; from?: string; to?: string },
  params: unknown[],
): string[] {
  const where: string[] = [];
  if (q.symbol) where.push(`symbol = $${params.push(q.symbol)}`);
  if (q.tf) where.push(`timeframe = $${params.push(q.tf)}`);
  if (q.from) where.push(`bar_ts >= $${params.push(q.from)}`);
  if (q.to) where.push(`bar_ts <= $${params.push(q.to)}`);
  return where;
}
