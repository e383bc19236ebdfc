import { type ErrorDetail, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { AppError } from '../errors';

/**
 * Refuses (422 BAR_IN_FUTURE) rows whose `bar_ts` is more than one bar of their timeframe ahead of `nowMs`, the api's
 * clock: the bar that is open now and the next one may be written (a decision is for the next bar), nothing later.
 * `pathOf(i)` names row `i`'s field (`bar_ts`, `signals.3.bar_ts`).
 */
export function assertNoBarInFuture(
  rows: readonly { bar_ts: string; timeframe: Timeframe }[],
  nowMs: number,
  pathOf: (index: number) => string,
): void {
  const details: ErrorDetail[] = [];
  rows.forEach((row, i) => {
    const latestMs = nowMs + TIMEFRAME_MS[row.timeframe];
    if (Date.parse(row.bar_ts) > latestMs) {
      details.push({
        path: pathOf(i),
        message: `${row.bar_ts} is more than one ${row.timeframe} bar ahead of now (${new Date(nowMs).toISOString()}); send bars that have opened, or the next one`,
      });
    }
  });
  const first = details[0];
  if (first) {
    throw new AppError('BAR_IN_FUTURE', {
      message: `${first.path} ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`,
      details,
    });
  }
}
