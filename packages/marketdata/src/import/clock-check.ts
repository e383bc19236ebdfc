// Does the file's clock fit the market's week? A file stored in the wrong clock looks fine row by row; only its
// rhythm gives it away: FX bars on a Saturday, or every week ending at 21:59 when the market closes at 17:00 New York,
// or a share's trading day starting at 14:30 when its exchange opens at 09:30.
import type { ClockCheck } from '@neuronetiq/contracts';
import { DateTime } from 'luxon';
import { type CalendarName, getCalendar } from '../resample/calendars';
import { createZoneClock, type ZoneClock } from '../time/zone-clock';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SAMPLE = 50_000;

/** Zones whose daylight-saving rules a fixed offset cannot imitate: the usual clocks of brokers and data vendors. */
const ZONE_CANDIDATES = [
  'America/New_York',
  'America/Chicago',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Athens',
  'Europe/Moscow',
  'Asia/Tokyo',
  'Australia/Sydney',
];

function fixedCandidates(): string[] {
  const out: string[] = [];
  for (let halfHours = -24; halfHours <= 28; halfHours++) {
    if (halfHours === 0) {
      out.push('UTC');
      continue;
    }
    const sign = halfHours < 0 ? '-' : '+';
    const a = Math.abs(halfHours);
    out.push(`UTC${sign}${Math.floor(a / 2)}${a % 2 === 1 ? ':30' : ''}`);
  }
  return out;
}

export interface ClockCheckInput {
  /** Wall-clock readings of the stored bars (fields read as if UTC), ascending. */
  readings: Float64Array;
  timeframeMs: number;
  calendar: CalendarName;
  /** The zone the readings were converted with. */
  zone: string;
  /** Why the check cannot apply, when it cannot (absolute times, a daily file, a calendar without closures). */
  skipReason: string | null;
}

export interface ClockCheckResult extends ClockCheck {
  /** True when a clock other than the one used fits clearly better: the import should stop unless told otherwise. */
  mismatch: boolean;
}

interface Closures {
  starts: Float64Array;
  ends: Float64Array;
}

function closuresOver(calendar: CalendarName, fromMs: number, toMs: number): Closures {
  const list = getCalendar(calendar).closedIntervals(fromMs - 2 * DAY_MS, toMs + 2 * DAY_MS);
  return { starts: Float64Array.from(list, (c) => c[0]), ends: Float64Array.from(list, (c) => c[1]) };
}

/** Index of the last closure starting at or before ms, or -1. */
function closureAt(c: Closures, ms: number): number {
  let lo = 0;
  let hi = c.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((c.starts[mid] as number) <= ms) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function toUtc(zone: ZoneClock, reading: number): number {
  const r = zone.resolve(reading);
  return r.kind === 'nonexistent' ? reading : r.ms;
}

interface Score {
  tz: string;
  closed: number;
  slack: number;
}

/**
 * Counts the bars in closed hours under a clock, and how far each week's first and last bar sit from the session's
 * open and close (the tie-break between clocks that fit equally: the right one hugs the session).
 */
function score(readings: Float64Array, step: number, tfMs: number, zone: ZoneClock, c: Closures): Score {
  let closed = 0;
  let slack = 0;
  let prev = Number.NaN;
  for (let i = 0; i < readings.length; i += step) {
    const utc = toUtc(zone, readings[i] as number);
    const k = closureAt(c, utc);
    if (k >= 0 && utc < (c.ends[k] as number)) closed++;
    if (!Number.isNaN(prev) && utc - prev > DAY_MS) {
      // A weekend between prev and utc: the closure that starts after prev.
      const j = closureAt(c, prev) + 1;
      if (j < c.starts.length) {
        slack += Math.abs((c.starts[j] as number) - (prev + tfMs)) + Math.abs(utc - (c.ends[j] as number));
      }
    }
    prev = utc;
  }
  return { tz: zone.zone, closed, slack };
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The most common weekday and time of the last bar before a break of more than a day, in the file's clock. */
function weekEnd(readings: Float64Array): { label: string; weeks: number; same: number } | null {
  const counts = new Map<string, number>();
  let weeks = 0;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as number;
    const next = readings[i + 1];
    if (next !== undefined && next - r <= DAY_MS) continue;
    if (next === undefined) continue;
    weeks++;
    const d = new Date(r);
    const label = `${WEEKDAYS[(d.getUTCDay() + 6) % 7]} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  let best: { label: string; weeks: number; same: number } | null = null;
  for (const [label, n] of counts) if (best === null || n > best.same) best = { label, weeks, same: n };
  return best;
}

/** Bars on a Saturday in the market's own zone. */
function saturdayBars(readings: Float64Array, zone: ZoneClock, marketZone: string): number {
  let n = 0;
  for (const r of readings) {
    const utc = toUtc(zone, r);
    if (DateTime.fromMillis(utc, { zone: marketZone }).weekday === 6) n++;
  }
  return n;
}

/** The city a market zone is named after, for messages: America/New_York → New York. */
const city = (zone: string) => (zone.split('/').pop() ?? zone).replace(/_/g, ' ');

const fmt = (n: number) => n.toLocaleString('en-US');

/** Compares the bars' weekly rhythm with the calendar under the clock used and under every candidate clock. */
export function checkClock(input: ClockCheckInput): ClockCheckResult {
  const n = input.readings.length;
  if (input.skipReason !== null || n === 0) {
    return {
      status: 'not_checked',
      barsInClosedHours: 0,
      suggestion: null,
      weekEnd: null,
      message: input.skipReason ?? 'no bars to check',
      mismatch: false,
    };
  }
  const first = input.readings[0] as number;
  const last = input.readings[n - 1] as number;
  const c = closuresOver(input.calendar, first - 15 * HOUR_MS, last + 15 * HOUR_MS);
  const used = createZoneClock(input.zone);
  const current = score(input.readings, 1, input.timeframeMs, used, c);
  const end = weekEnd(input.readings);
  const weekEndText = end ? `${end.label} (${end.same} of ${end.weeks} weeks)` : null;
  // A few quotes in a closure happen in real data (a broker's early Sunday open); one in a thousand is tolerated.
  const tolerance = Math.floor(n * 0.001);
  const market = getCalendar(input.calendar);
  const session = market.hours;
  const marketZone = market.zone ?? 'UTC';
  if (current.closed <= tolerance) {
    return {
      status: 'fits',
      barsInClosedHours: current.closed,
      suggestion: null,
      weekEnd: end?.label ?? null,
      message: `the bars fit ${session} read as ${input.zone}${current.closed > 0 ? ` (${current.closed} bars in closed hours)` : ''}`,
      mismatch: false,
    };
  }
  const step = Math.max(1, Math.ceil(n / SAMPLE));
  let best: Score | null = null;
  // Fixed offsets first: on a tie they describe the file exactly, a zone only wins by fitting strictly better.
  for (const tz of [...fixedCandidates(), ...ZONE_CANDIDATES]) {
    const s = score(input.readings, step, input.timeframeMs, createZoneClock(tz), c);
    if (best === null || s.closed < best.closed || (s.closed === best.closed && s.slack < best.slack)) best = s;
  }
  const exactBest = best ? score(input.readings, 1, input.timeframeMs, createZoneClock(best.tz), c) : null;
  const saturday = saturdayBars(input.readings, used, marketZone);
  const found = `${fmt(current.closed)} of ${fmt(n)} bars fall where the market is closed when read as ${input.zone}${saturday > 0 ? ` (${fmt(saturday)} on Saturdays, ${city(marketZone)})` : ''}; most weeks end at ${weekEndText ?? '?'} in the file's clock`;
  if (exactBest !== null && exactBest.tz !== input.zone && exactBest.closed <= current.closed / 4) {
    return {
      status: 'suspect',
      barsInClosedHours: current.closed,
      suggestion: { tz: exactBest.tz, barsInClosedHours: exactBest.closed },
      weekEnd: end?.label ?? null,
      message: `${found}. Read as ${exactBest.tz} they fit ${session} (${fmt(exactBest.closed)} in closed hours): pass --tz ${exactBest.tz}`,
      mismatch: true,
    };
  }
  return {
    status: 'suspect',
    barsInClosedHours: current.closed,
    suggestion: null,
    weekEnd: end?.label ?? null,
    message: `${found}; no other clock fits better, so they are kept as read (weekend quotes of the data vendor?)`,
    mismatch: false,
  };
}
