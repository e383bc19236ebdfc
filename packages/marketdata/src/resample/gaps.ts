import { type BarGap, type GapReport, TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import { type CalendarName, getCalendar } from './calendars';

/** A hole in a series, and the gaps of a series against a calendar: the contracts' wire shapes. */
export type Gap = BarGap;
export type { GapReport };

export interface FindGapsOptions {
  calendar?: CalendarName;
  /** How many gaps to list; the counts are always exact. Default 20. */
  maxListed?: number;
}

/**
 * Finds the holes in a series of bar open times (ms, ascending, unique). Gaps are reported, never filled:
 * a missing bar is a fact about the data, and an invented one would be scored as if the market had traded.
 */
export function findGaps(
  timestampsMs: ArrayLike<number>,
  timeframe: Timeframe,
  options: FindGapsOptions = {},
): GapReport {
  const calendarName = options.calendar ?? 'continuous';
  const calendar = getCalendar(calendarName);
  const maxListed = options.maxListed ?? 20;
  const tf = TIMEFRAME_MS[timeframe];
  const gaps: Gap[] = [];
  let largest: Gap | null = null;
  let largestHole: Gap | null = null;
  let missingBars = 0;
  let gapCount = 0;
  const holes = { count: 0, missingBars: 0 };
  const edges = { count: 0, missingBars: 0 };
  for (let i = 1; i < timestampsMs.length; i++) {
    const a = timestampsMs[i - 1] as number;
    const b = timestampsMs[i] as number;
    if (b <= a)
      throw new RangeError(`findGaps needs ascending unique timestamps; index ${i} is not after index ${i - 1}`);
    const slots = Math.floor((b - a - 1) / tf);
    if (slots === 0) continue;
    let closed = 0;
    const closures = calendar.closedIntervals(a + tf, b);
    for (const [s, e] of closures) {
      const kFrom = Math.max(1, Math.ceil((s - a) / tf));
      const kTo = Math.min(slots, Math.ceil((e - a) / tf) - 1);
      if (kTo >= kFrom) closed += kTo - kFrom + 1;
    }
    const missing = slots - closed;
    if (missing <= 0) continue;
    gapCount++;
    missingBars += missing;
    const gap = { after: new Date(a).toISOString(), before: new Date(b).toISOString(), missingBars: missing };
    if (gaps.length < maxListed) gaps.push(gap);
    if (largest === null || missing > largest.missingBars) largest = gap;
    // A gap that reaches a closure lost bars at a session's edge (a late open, an early close); one inside an open
    // session is a hole in the data.
    if (closures.length > 0) {
      edges.count++;
      edges.missingBars += missing;
    } else {
      holes.count++;
      holes.missingBars += missing;
      if (largestHole === null || missing > largestHole.missingBars) largestHole = gap;
    }
  }
  const presentBars = timestampsMs.length;
  return {
    calendar: calendarName,
    presentBars,
    expectedBars: presentBars + missingBars,
    missingBars,
    gapCount,
    gaps,
    largest,
    holes: { ...holes, largest: largestHole },
    edges,
  };
}
