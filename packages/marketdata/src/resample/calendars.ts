import { MARKET_CALENDARS, type MarketCalendarName } from '@neuronetiq/contracts';
import { DateTime } from 'luxon';

/**
 * When a market is shut, so that its closures are not counted as missing bars.
 * - `continuous`, `crypto`: never shut (crypto trades around the clock).
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

const crypto: MarketCalendar = { name: 'crypto', closedIntervals: () => [] };

export const CALENDARS: Record<CalendarName, MarketCalendar> = { continuous, crypto, fx, weekdays };

// ISO 4217 codes of the currencies (and metals) that spot FX symbols pair, e.g. EURUSD, USDJPY, XAUUSD.
const CURRENCIES = new Set(
  (
    'USD EUR JPY GBP CHF AUD NZD CAD SEK NOK DKK PLN HUF CZK TRY ZAR MXN SGD HKD CNH CNY INR KRW TWD THB ILS RUB BRL ' +
    'CLP COP PEN RON HRK ISK XAU XAG XPT XPD'
  ).split(' '),
);
const CRYPTO_QUOTES = /(USDT|USDC|BUSD|FDUSD|TUSD|DAI|BTC|ETH|BNB)$/;
const CRYPTO_BASES = /^(BTC|XBT|ETH|SOL|XRP|ADA|DOGE|LTC|BNB|DOT|AVAX|LINK|MATIC|TRX|SHIB|BCH|XLM|ATOM|UNI|ETC)/;

/** The calendar a symbol trades on, when its name tells: `fx` for a pair of currency codes, `crypto` for coins. */
export function calendarForSymbol(symbol: string): CalendarName | null {
  const s = symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (s.length === 6 && CURRENCIES.has(s.slice(0, 3)) && CURRENCIES.has(s.slice(3))) return 'fx';
  if (CRYPTO_QUOTES.test(s) || CRYPTO_BASES.test(s)) return 'crypto';
  return null;
}

export function getCalendar(name: CalendarName): MarketCalendar {
  return CALENDARS[name];
}
