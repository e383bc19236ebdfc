const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Calendar fields to "wall milliseconds" (the fields read as if they were UTC), or NaN when any field is out of
 * range: Date.UTC would silently roll 2017-02-30 over into March, which would hide a corrupt row.
 */
export function civilToWallMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, msPart = 0): number {
  if (!(mo >= 1 && mo <= 12 && d >= 1 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59)) {
    return Number.NaN;
  }
  const dim = mo === 2 && isLeapYear(y) ? 29 : (DAYS_IN_MONTH[mo - 1] as number);
  if (d > dim) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, msPart);
}

/**
 * Epoch number to milliseconds, its unit told by its magnitude: below 1e11 it is seconds (1e11 s is the year
 * 5138), below 1e14 milliseconds, below 1e17 microseconds (Binance dumps since 2025), else nanoseconds.
 * Fractions of a millisecond are rounded. NaN when the text is not a finite number.
 */
export function epochToMs(text: string): number {
  if (text.length === 0) return Number.NaN;
  const v = Number(text);
  if (!Number.isFinite(v)) return Number.NaN;
  const a = Math.abs(v);
  if (a < 1e11) return Math.round(v * 1000);
  if (a < 1e14) return Math.round(v);
  if (a < 1e17) return Math.round(v / 1000);
  return Math.round(v / 1e6);
}

/** Which unit `epochToMs` read a number in, for the import report's statement of the clock. */
export function epochUnit(text: string): 's' | 'ms' | 'us' | 'ns' | null {
  const v = Math.abs(Number(text));
  if (text.length === 0 || !Number.isFinite(v)) return null;
  return v < 1e11 ? 's' : v < 1e14 ? 'ms' : v < 1e17 ? 'us' : 'ns';
}

/** A textual timestamp split into fields; `offsetMin` is set only when the text carries `Z` or `±hh:mm`. */
export interface ParsedDateTime {
  wallMs: number;
  dateOnly: boolean;
  offsetMin: number | null;
}

// ISO 8601 and its common relatives: `2017-01-02`, `2017-01-02 02:00`, `2017-01-02T02:00:00.123Z`,
// `2017.01.02 02:00:00+01:00`, `2017/01/02T02:00`. The date part's separator must be consistent.
const DATE_TIME =
  /^(\d{4})([-./]?)(\d{2})\2(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an ISO-8601-like date or date-time; null when the text is not one (or names an impossible date). */
export function parseDateTime(text: string): ParsedDateTime | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [, ys, , mos, ds, hs, mis, ss, frac, off] = m;
  const msPart = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const wallMs = civilToWallMs(
    Number(ys),
    Number(mos),
    Number(ds),
    Number(hs ?? 0),
    Number(mis ?? 0),
    Number(ss ?? 0),
    msPart,
  );
  if (Number.isNaN(wallMs)) return null;
  let offsetMin: number | null = null;
  if (off !== undefined) {
    if (off === 'Z' || off === 'z' || off === 'UTC') offsetMin = 0;
    else {
      const sign = off[0] === '-' ? -1 : 1;
      const digits = off.slice(1).replace(':', '');
      offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
    }
  }
  return { wallMs, dateOnly: hs === undefined, offsetMin };
}

/** True when the text is a plain number (an epoch), as opposed to a date string. */
export function looksNumeric(text: string): boolean {
  return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim());
}
