import { MARKET_CALENDARS, type MarketCalendarName } from '@neuronetiq/contracts';
import { DateTime } from 'luxon';

/**
 * When a market is shut, so that its closures are not counted as missing bars.
 * - `continuous`: never shuts (crypto).
 * - `fx`: spot FX, shut from Friday 17:00 to Sunday 17:00 New York time (the time moves with US daylight saving).
 * - `weekdays`: shut on Saturdays and Sundays (UTC dates), e.g. daily stock bars. Holidays are not known to it,
 *   so an exchange holiday shows up as a gap of one bar, which is the honest answer without a holiday list.
 */
export const CALENDAR_NAMES = MARKET_CALENDARS;
export type CalendarName = MarketCalendarName;

export interface MarketCalendar {
  readonly name: CalendarName;
  /** Closed intervals `[startMs, endMs)` that overlap `[fromMs, toMs)`, ascending and disjoint. */
  closedIntervals(fromMs: number, toMs: number): Array<[number, number]>;
}

const DAY_MS = 86_400_000;
const FX_ZONE = 'America/New_York';

const continuous: MarketCalendar = { name: 'continuous', closedIntervals: () => [] };

const fx: MarketCalendar = {
  name: 'fx',
  closedIntervals(fromMs, toMs) {
    const out: Array<[number, number]> = [];
    let friday = DateTime.fromMillis(fromMs, { zone: FX_ZONE }).set({
      weekday: 5,
      hour: 17,
      minute: 0,
      second: 0,
      millisecond: 0,
    });
    // The week's Friday may lie after fromMs while the previous weekend's closure still covers it.
    if (friday.toMillis() > fromMs) friday = friday.minus({ weeks: 1 });
    while (friday.toMillis() < toMs) {
      // plus({ days: 2 }) is calendar arithmetic: Sunday 17:00 local even when the clocks changed in between.
      const end = friday.plus({ days: 2 }).toMillis();
      if (end > fromMs) out.push([friday.toMillis(), end]);
      friday = friday.plus({ weeks: 1 });
    }
    return out;
  },
};

const weekdays: MarketCalendar = {
  name: 'weekdays',
  closedIntervals(fromMs, toMs) {
    const out: Array<[number, number]> = [];
    const day = Math.floor(fromMs / DAY_MS);
    // 1970-01-01 was a Thursday; (day + 4) % 7 is the UTC weekday with Sunday = 0.
    let saturday = day - ((((day + 4) % 7) + 1) % 7);
    while (saturday * DAY_MS < toMs) {
      const start = saturday * DAY_MS;
      const end = start + 2 * DAY_MS;
      if (end > fromMs) out.push([start, end]);
      saturday += 7;
    }
    return out;
  },
};

export const CALENDARS: Record<CalendarName, MarketCalendar> = { continuous, fx, weekdays };

export function getCalendar(name: CalendarName): MarketCalendar {
  return CALENDARS[name];
}
