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

/** A textual timestamp split into fields; `offsetMin` is set only when the text carries `Z`, `GMT+2`, `±hh:mm`, …. */
export interface ParsedDateTime {
  wallMs: number;
  dateOnly: boolean;
  offsetMin: number | null;
}

/**
 * Order of the fields of a date written with its year last: `dmy` (31.12.2024, Dukascopy and most of the world) or
 * `mdy` (12/31/2024, US exports). Dates with the year first are always year, month, day.
 */
export type DateOrder = 'dmy' | 'mdy';

// Year first: 2017-01-02, 2017.01.02 (MetaTrader), 2017/01/02, 20170102 (HistData, NinjaTrader).
const YMD = /^(\d{4})([-./]?)(\d{1,2})\2(\d{1,2})/;
// Year last: 02.01.2017 (Dukascopy), 01/02/2017, 2-1-2017.
const XXY = /^(\d{1,2})([-./])(\d{1,2})\2(\d{4})/;
// 02:00, 02:00:00, 02:00:00.123, 020000 (HistData), 2:00:00 PM, and CryptoDataDownload's `05-AM`.
const TIME =
  /^(\d{1,2})(?:-(?=[AaPp][Mm])|:(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?|(\d{2})(\d{2})?)?\s*(?:([AaPp])[Mm])?/;
// Z, UTC, GMT, +01:00, -0500, +5, GMT+0200, UTC-3:30.
const OFFSET = /^(?:Z|z|(?:UTC|GMT)(?=$|[+-])|)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

/**
 * Parses a date, a date-time or (with `timeText`) a date and a separate time column; null when the text is not
 * one (or names an impossible date such as 2017-02-30).
 */
export function parseDateTime(text: string, order: DateOrder = 'dmy', timeText?: string): ParsedDateTime | null {
  const s = text.trim();
  let y: number;
  let mo: number;
  let d: number;
  let rest: string;
  let m = YMD.exec(s);
  if (m !== null) {
    y = Number(m[1]);
    mo = Number(m[3]);
    d = Number(m[4]);
    // 20170102 needs two digits each; 2017-1-2 may use one.
    if (m[2] === '' && (m[3]?.length !== 2 || m[4]?.length !== 2)) return null;
    rest = s.slice(m[0].length);
  } else {
    m = XXY.exec(s);
    if (m === null) return null;
    const a = Number(m[1]);
    const b = Number(m[3]);
    y = Number(m[4]);
    [d, mo] = order === 'dmy' ? [a, b] : [b, a];
    rest = s.slice(m[0].length);
  }
  if (timeText !== undefined) rest = ` ${timeText.trim()}${rest}`;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let msPart = 0;
  let dateOnly = true;
  if (rest.length > 0 && (rest[0] === 'T' || rest[0] === ' ' || rest[0] === '\t')) {
    const body = rest.replace(/^[T ]\s*/, '');
    const t = TIME.exec(body);
    if (t !== null && t[0].length > 0) {
      dateOnly = false;
      h = Number(t[1]);
      if (t[5] !== undefined) {
        // HHMM or HHMMSS without separators.
        mi = Number(t[5]);
        sec = Number(t[6] ?? 0);
        if (t[1]?.length !== 2) return null;
      } else {
        mi = Number(t[2] ?? 0);
        sec = Number(t[3] ?? 0);
        if (t[4] !== undefined) msPart = Math.round(Number(`0.${t[4]}`) * 1000);
      }
      const ampm = t[7];
      if (ampm !== undefined) {
        if (h < 1 || h > 12) return null;
        h = (h % 12) + (ampm === 'P' || ampm === 'p' ? 12 : 0);
      }
      rest = body.slice(t[0].length);
    }
  }
  const wallMs = civilToWallMs(y, mo, d, h, mi, sec, msPart);
  if (Number.isNaN(wallMs)) return null;
  const o = OFFSET.exec(rest.trim());
  if (o === null) return null;
  let offsetMin: number | null = null;
  if (o[0].length > 0) {
    offsetMin = 0;
    if (o[1] !== undefined) {
      const mins = Number(o[2]) * 60 + Number(o[3] ?? 0);
      if (Number(o[2]) > 14 || Number(o[3] ?? 0) > 59) return null;
      offsetMin = o[1] === '-' ? -mins : mins;
    }
  }
  return { wallMs, dateOnly, offsetMin };
}

/** True when the text is a plain number (an epoch), as opposed to a date string. */
export function looksNumeric(text: string): boolean {
  return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim());
}

/** True when the text is a time of day on its own (`02:00`, `02:00:00`, `020000`), e.g. a MetaTrader time column. */
export function looksLikeTimeOfDay(text: string): boolean {
  return /^\d{1,2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(\s*[AaPp][Mm])?$|^\d{6}$/.test(text.trim());
}
