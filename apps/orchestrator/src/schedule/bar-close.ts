// When each series is due. Pure: time comes in as numbers.
//
// A bar of timeframe L that opens at t closes at t + L, which is also the open time of the next bar. At close time
// c (plus the settle delay, which lets the close's bar reach the database) the orchestrator decides from the bars up
// to and including the one that opened at c - L, and the decision is FOR the bar that opens at c: the signals are
// stored with bar_ts = c, while that bar is still open, so they are on time.
import { TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';

/** The most recent bar close of `timeframe` at or before `ms` (bar boundaries are UTC multiples of its length). */
export function latestCloseAt(ms: number, timeframe: Timeframe): number {
  const len = TIMEFRAME_MS[timeframe];
  return Math.floor(ms / len) * len;
}

export interface DueClosesInput {
  timeframe: Timeframe;
  nowMs: number;
  settleMs: number;
  /** The last close already processed for this series, or undefined right after start. */
  lastDoneMs: number | undefined;
  /** How many closes before the latest one may still be run (after a restart or a stall); 0 = only the latest. */
  catchUpBars: number;
}

/**
 * Bar closes of one series that are due now, oldest first: every close c with c + settle <= now that is newer than
 * `lastDoneMs`, but never more than the latest `catchUpBars + 1` of them (a restart after a long outage produces
 * a bounded amount of late work, not a replay of history).
 */
export function dueCloses(input: DueClosesInput): number[] {
  const len = TIMEFRAME_MS[input.timeframe];
  const latest = latestCloseAt(input.nowMs - input.settleMs, input.timeframe);
  const oldestAllowed = latest - Math.max(0, Math.floor(input.catchUpBars)) * len;
  const from = input.lastDoneMs === undefined ? oldestAllowed : Math.max(oldestAllowed, input.lastDoneMs + len);
  const out: number[] = [];
  for (let c = from; c <= latest; c += len) out.push(c);
  return out;
}

/** When the series is next due: at once when a close is pending, else at its next close plus the settle delay. */
export function nextDueAt(
  timeframe: Timeframe,
  nowMs: number,
  settleMs: number,
  lastDoneMs: number | undefined,
): number {
  const latest = latestCloseAt(nowMs - settleMs, timeframe);
  if (lastDoneMs === undefined || lastDoneMs < latest) return latest + settleMs;
  return lastDoneMs + TIMEFRAME_MS[timeframe] + settleMs;
}
