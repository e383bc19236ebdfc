import { MARKET_CALENDARS, type MarketCalendarName } from '@neuronetiq/contracts';
import { DateTime } from 'luxon';

/**
 * When a market is shut, so that its closures are not counted as missing bars.
 * - `continuous`, `crypto`: never shut (crypto trades around the clock).
 * - `fx`: spot FX, shut from Friday 17:00 to Sunday 17:00 New York time (the time moves with US daylight saving).
 * - `weekdays`: shut on Saturdays and Sundays (UTC dates), e.g. daily stock bars. Holidays are not known to it,
 *   so an exchange holiday shows up as a gap of one bar, which is the honest answer without a holiday list.
 * - Exchange hours, Monday to Friday in the exchange's own clock (so they move with its daylight saving), shut every
 *   night and weekend: `us-equities` (NYSE/Nasdaq 09:30-16:00 New York), `us-equities-extended` (04:00-20:00 New
 *   York, pre- and after-market), `lse` (08:00-16:30 London), `xetra` (09:00-17:30 Frankfurt), `tse` (Tokyo
 *   09:00-11:30 and 12:30-15:30). Holidays and early closes are not known to them: a holiday shows as bars missing
 *   at a session's edge, never as an in-session hole.
 */
export const CALENDAR_NAMES = MARKET_CALENDARS;
export type CalendarName = MarketCalendarName;

export interface MarketCalendar {
  readonly name: CalendarName;
  /** The open hours in words, for reports: "the FX week (Sunday 17:00 to Friday 17:00 New York)". */
  readonly hours: string;
  /** The zone the hours are set in; null for calendars without a clock (never shut, or UTC dates). */
  readonly zone: string | null;
  /** Closed intervals `[startMs, endMs)` that overlap `[fromMs, toMs)`, ascending and disjoint. */
  closedIntervals(fromMs: number, toMs: number): Array<[number, number]>;
}

const DAY_MS = 86_400_000;
const FX_ZONE = 'America/New_York';

const continuous: MarketCalendar = {
  name: 'continuous',
  hours: 'every hour of every day',
  zone: null,
  closedIntervals: () => [],
};

const fx: MarketCalendar = {
  name: 'fx',
  hours: 'the FX week (Sunday 17:00 to Friday 17:00 New York)',
  zone: FX_ZONE,
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
  hours: 'Monday to Friday (UTC dates)',
  zone: null,
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

const crypto: MarketCalendar = { name: 'crypto', hours: 'around the clock', zone: null, closedIntervals: () => [] };

/** A session's local open and close, "HH:MM". */
type Session = readonly [open: string, close: string];

function localTime(hhmm: string): { hour: number; minute: number; second: 0; millisecond: 0 } {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  return { hour, minute, second: 0, millisecond: 0 };
}

/**
 * An exchange open Monday to Friday in the given sessions of its local clock: the closures are the spans between
 * consecutive sessions (lunch breaks, nights, weekends).
 */
function exchangeCalendar(
  name: CalendarName,
  zone: string,
  label: string,
  sessions: readonly Session[],
): MarketCalendar {
  const times = sessions.map(([o, c]) => [localTime(o), localTime(c)] as const);
  const span = sessions.map(([o, c]) => `${o}-${c}`).join(' and ');
  return {
    name,
    hours: `${label} hours (Monday to Friday ${span} ${zone})`,
    zone,
    closedIntervals(fromMs, toMs) {
      // Open sessions from the last one that ends before fromMs (at most 4 days back, over a weekend) to the first
      // that starts after toMs; the closures are the spans between them.
      const open: Array<[number, number]> = [];
      let day = DateTime.fromMillis(fromMs, { zone }).startOf('day').minus({ days: 4 });
      let after = 0;
      while (after < 1) {
        if (day.weekday <= 5) {
          for (const [o, c] of times) {
            const start = day.set(o).toMillis();
            open.push([start, day.set(c).toMillis()]);
            if (start >= toMs) after++;
          }
        }
        day = day.plus({ days: 1 });
      }
      const out: Array<[number, number]> = [];
      for (let i = 0; i + 1 < open.length; i++) {
        const start = (open[i] as [number, number])[1];
        const end = (open[i + 1] as [number, number])[0];
        if (end > fromMs && start < toMs) out.push([start, end]);
      }
      return out;
    },
  };
}

const usEquities = exchangeCalendar('us-equities', 'America/New_York', 'NYSE/Nasdaq regular', [['09:30', '16:00']]);
const usEquitiesExtended = exchangeCalendar('us-equities-extended', 'America/New_York', 'NYSE/Nasdaq extended', [
  ['04:00', '20:00'],
]);
const lse = exchangeCalendar('lse', 'Europe/London', 'London Stock Exchange', [['08:00', '16:30']]);
const xetra = exchangeCalendar('xetra', 'Europe/Berlin', 'Xetra', [['09:00', '17:30']]);
const tse = exchangeCalendar('tse', 'Asia/Tokyo', 'Tokyo Stock Exchange', [
  ['09:00', '11:30'],
  ['12:30', '15:30'],
]);

export const CALENDARS: Record<CalendarName, MarketCalendar> = {
  continuous,
  crypto,
  fx,
  weekdays,
  'us-equities': usEquities,
  'us-equities-extended': usEquitiesExtended,
  lse,
  xetra,
  tse,
};

// ISO 4217 codes of the currencies (and metals) that spot FX symbols pair, e.g. EURUSD, USDJPY, XAUUSD.
const CURRENCIES = new Set(
  (
    'USD EUR JPY GBP CHF AUD NZD CAD SEK NOK DKK PLN HUF CZK TRY ZAR MXN SGD HKD CNH CNY INR KRW TWD THB ILS RUB BRL ' +
    'CLP COP PEN RON HRK ISK XAU XAG XPT XPD'
  ).split(' '),
);
const CRYPTO_QUOTES = /(USDT|USDC|BUSD|FDUSD|TUSD|DAI|BTC|ETH|BNB)$/;
const CRYPTO_BASES = /^(BTC|XBT|ETH|SOL|XRP|ADA|DOGE|LTC|BNB|DOT|AVAX|LINK|MATIC|TRX|SHIB|BCH|XLM|ATOM|UNI|ETC)/;

// Exchange suffixes as Yahoo, EODHD and most data vendors write them: AAPL.US, VOD.L, SAP.DE, 7203.T.
const EXCHANGE_SUFFIXES: Record<string, CalendarName> = {
  US: 'us-equities',
  L: 'lse',
  DE: 'xetra',
  F: 'xetra',
  XETRA: 'xetra',
  T: 'tse',
};

/**
 * The calendar a symbol trades on, when its name tells: `fx` for a pair of currency codes, `crypto` for coins, an
 * exchange's hours for a listed share with the exchange's suffix (AAPL.US, VOD.L, SAP.DE, 7203.T). A bare ticker
 * (AAPL) does not tell: it might be a CFD quoted around the clock, so `--calendar` says it.
 */
export function calendarForSymbol(symbol: string): CalendarName | null {
  const suffix = /\.([A-Z]+)$/.exec(symbol.toUpperCase());
  if (suffix !== null) {
    const exchange = EXCHANGE_SUFFIXES[suffix[1] as string];
    if (exchange !== undefined) return exchange;
  }
  const s = symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (s.length === 6 && CURRENCIES.has(s.slice(0, 3)) && CURRENCIES.has(s.slice(3))) return 'fx';
  if (CRYPTO_QUOTES.test(s) || CRYPTO_BASES.test(s)) return 'crypto';
  return null;
}

export function getCalendar(name: CalendarName): MarketCalendar {
  return CALENDARS[name];
}
