import { TIMEFRAME_MS, type Timeframe } from '@neuronetiq/contracts';
import type { CalendarName } from '../resample/calendars';
import { civilToWallMs, epochToMs, epochUnit, looksNumeric, parseDateTime } from '../time/timestamps';
import type { ImportFormat, NoticeKind, RejectReason } from './report';

/** A decoded data row before validation; `ts` is UTC epoch milliseconds. */
export interface DecodedRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

export interface DecodeContext {
  notice(kind: NoticeKind, line: number): void;
  /** Converts a wall-clock reading in the import's zone to UTC ms (NaN when the reading does not exist there). */
  wallToUtc(wallMs: number, line: number): number;
  /** Records which kind of timestamp a row carried, so the report can state the clock it assumed. */
  sawTimestamp(kind: TimestampKind): void;
}

export type TimestampKind = 'epoch_s' | 'epoch_ms' | 'epoch_us' | 'epoch_ns' | 'offset' | 'wall' | 'date_only';

export interface FormatDecoder {
  readonly format: ImportFormat;
  readonly order: 'ascending' | 'descending' | 'unordered';
  readonly calendar: CalendarName;
  /** `quote: false` lets every record be one physical line, so line numbers come free (no per-record info). */
  readonly quoted: boolean;
  readonly delimiter: string;
  /** Called with leading records until it returns false; true means the record was a header line (consumed). */
  acceptHeader(record: string[], line: number): boolean;
  /** Fills `out`; returns the reason the row is unusable, or null. */
  decode(record: string[], line: number, out: DecodedRow, ctx: DecodeContext): RejectReason | null;
}

export class ImportError extends Error {
  constructor(
    readonly code: 'FORMAT_UNKNOWN' | 'HEADER_INVALID' | 'OPTIONS_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Number of a CSV field; NaN for an empty field (Number('') would be 0, a silent zero price). */
function num(s: string | undefined): number {
  return s === undefined || s.length === 0 ? Number.NaN : Number(s);
}

function volumeOf(s: string | undefined): number | null {
  if (s === undefined || s.length === 0) return null;
  return Number(s);
}

const EPOCH_KIND = { s: 'epoch_s', ms: 'epoch_ms', us: 'epoch_us', ns: 'epoch_ns' } as const;

// ——— HistData ASCII: `YYYYMMDD HHMMSS;open;high;low;close;volume`, no header, ascending, wall clock. ———
function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

export function histdataDecoder(): FormatDecoder {
  return {
    format: 'histdata',
    order: 'ascending',
    calendar: 'fx',
    quoted: false,
    delimiter: ';',
    acceptHeader: () => false,
    decode(r, line, out, ctx) {
      if (r.length < 5) return 'wrong_field_count';
      const t = r[0] as string;
      if (t.length !== 15 || t.charCodeAt(8) !== 32) return 'unparseable';
      const wall = civilToWallMs(
        digits(t, 0, 4),
        digits(t, 4, 2),
        digits(t, 6, 2),
        digits(t, 9, 2),
        digits(t, 11, 2),
        digits(t, 13, 2),
      );
      if (Number.isNaN(wall)) return 'unparseable';
      ctx.sawTimestamp('wall');
      out.ts = ctx.wallToUtc(wall, line);
      if (Number.isNaN(out.ts)) return 'nonexistent_local_time';
      out.open = num(r[1]);
      out.high = num(r[2]);
      out.low = num(r[3]);
      out.close = num(r[4]);
      // HistData writes 0 for every bar: FX has no central volume, so "unknown" is the truthful value.
      const v = volumeOf(r[5]);
      out.volume = v === 0 ? null : v;
      return null;
    },
  };
}

// ——— Binance kline dumps: open_time (ms, or µs since 2025), o, h, l, c, volume, close_time, …; header optional. ———
export function binanceDecoder(timeframe: Timeframe): FormatDecoder {
  const tf = TIMEFRAME_MS[timeframe];
  return {
    format: 'binance',
    order: 'ascending',
    calendar: 'continuous',
    quoted: false,
    delimiter: ',',
    acceptHeader: (r) => (r[0] ?? '').trim().toLowerCase() === 'open_time',
    decode(r, line, out, ctx) {
      if (r.length < 6) return 'wrong_field_count';
      const t = r[0] as string;
      const unit = epochUnit(t);
      if (unit === null) return 'unparseable';
      ctx.sawTimestamp(EPOCH_KIND[unit]);
      out.ts = epochToMs(t);
      out.open = num(r[1]);
      out.high = num(r[2]);
      out.low = num(r[3]);
      out.close = num(r[4]);
      out.volume = num(r[5]);
      const closeText = r[6];
      if (closeText !== undefined && closeText.length > 0) {
        const closeMs = epochToMs(closeText);
        if (closeMs + 1 < out.ts + tf) ctx.notice('early_close', line);
      }
      return null;
    },
  };
}

// ——— Headed CSVs (generic, Yahoo, CryptoDataDownload): columns found by name. ———
const TIME_NAMES = ['bar_ts', 'timestamp', 'datetime', 'date_time', 'time', 'open_time', 'unix', 'ts', 'date', 't', ''];
const OPEN_NAMES = ['open', 'o', 'open_price', 'openprice'];
const HIGH_NAMES = ['high', 'h', 'high_price', 'highprice', 'max'];
const LOW_NAMES = ['low', 'l', 'low_price', 'lowprice', 'min'];
const CLOSE_NAMES = ['close', 'c', 'close_price', 'closeprice', 'last'];
const VOLUME_NAMES = ['volume', 'vol', 'v', 'base_volume', 'tickvol', 'tick_volume'];

function normalise(name: string): string {
  return name
    .trim()
    .replace(/^<|>$/g, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

interface ColumnMap {
  time: number;
  /** A separate time-of-day column (MetaTrader-style `Date,Time,…`). */
  timeOfDay: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function mapColumns(header: string[]): ColumnMap | null {
  const names = header.map(normalise);
  const find = (cands: readonly string[]) => {
    for (const c of cands) {
      const i = names.indexOf(c);
      if (i >= 0) return i;
    }
    return -1;
  };
  const open = find(OPEN_NAMES);
  const high = find(HIGH_NAMES);
  const low = find(LOW_NAMES);
  const close = find(CLOSE_NAMES);
  if (open < 0 || high < 0 || low < 0 || close < 0) return null;
  let volume = find(VOLUME_NAMES);
  // CryptoDataDownload names volume columns by asset ("Volume BTC", "Volume USDT"); the first is the base asset.
  if (volume < 0) volume = names.findIndex((n) => n.startsWith('volume_'));
  let time = -1;
  let timeOfDay = -1;
  const date = names.indexOf('date');
  const tod = names.indexOf('time');
  if (date >= 0 && tod >= 0 && !names.includes('unix') && !names.includes('timestamp')) {
    time = date;
    timeOfDay = tod;
  } else {
    time = find(TIME_NAMES);
  }
  if (time < 0) return null;
  return { time, timeOfDay, open, high, low, close, volume };
}

function describeColumns(header: string[]): string {
  return header.map((h) => `"${h}"`).join(', ');
}

interface HeadedOptions {
  format: 'generic' | 'yahoo' | 'cryptodatadownload';
  delimiter: string;
  order: 'ascending' | 'descending' | 'unordered';
  calendar: CalendarName;
  quoted: boolean;
}

function headedDecoder(o: HeadedOptions): FormatDecoder {
  let cols: ColumnMap | null = null;
  let dateCol = -1;
  const decodeTime = (text: string, line: number, ctx: DecodeContext): number => {
    const trimmed = text.trim();
    if (looksNumeric(trimmed) && trimmed.length !== 8) {
      const unit = epochUnit(trimmed);
      if (unit === null) return Number.NaN;
      ctx.sawTimestamp(EPOCH_KIND[unit]);
      return epochToMs(trimmed);
    }
    const p = parseDateTime(trimmed);
    if (p === null) return Number.NaN;
    if (p.dateOnly) {
      // A date without a time names a trading day, not an instant: it is labelled 00:00 UTC of that date, the
      // contracts' daily boundary, whatever the zone (converting it would move a daily bar off its boundary).
      ctx.sawTimestamp('date_only');
      return p.wallMs;
    }
    if (p.offsetMin !== null) {
      ctx.sawTimestamp('offset');
      return p.wallMs - p.offsetMin * 60_000;
    }
    ctx.sawTimestamp('wall');
    return ctx.wallToUtc(p.wallMs, line);
  };
  return {
    format: o.format,
    order: o.order,
    calendar: o.calendar,
    quoted: o.quoted,
    delimiter: o.delimiter,
    acceptHeader(r, line) {
      if (cols !== null) return false;
      // CryptoDataDownload exports may start with their URL on a line of its own.
      if (r.length === 1 && /cryptodatadownload/i.test(r[0] ?? '')) return true;
      cols = mapColumns(r);
      if (cols === null) {
        throw new ImportError(
          'HEADER_INVALID',
          `Line ${line}: a ${o.format} CSV needs a header naming a time column and open, high, low, close (volume optional); found ${describeColumns(r)}`,
        );
      }
      if (o.format === 'cryptodatadownload') dateCol = r.map(normalise).indexOf('date');
      return true;
    },
    decode(r, line, out, ctx) {
      const c = cols as ColumnMap;
      const timeText = r[c.time];
      if (timeText === undefined || r[c.open] === undefined || r[c.close] === undefined) return 'wrong_field_count';
      const text = c.timeOfDay >= 0 ? `${timeText} ${r[c.timeOfDay] ?? ''}` : timeText;
      out.ts = decodeTime(text, line, ctx);
      if (Number.isNaN(out.ts)) {
        return parseDateTime(text) !== null && !looksNumeric(text) ? 'nonexistent_local_time' : 'unparseable';
      }
      out.open = num(r[c.open]?.trim());
      out.high = num(r[c.high]?.trim());
      out.low = num(r[c.low]?.trim());
      out.close = num(r[c.close]?.trim());
      out.volume = c.volume >= 0 ? volumeOf(r[c.volume]?.trim()) : null;
      if (dateCol >= 0) checkCddDate(r[dateCol], out.ts, line, ctx);
      return null;
    },
  };
}

// CryptoDataDownload's date column is UTC in one of two shapes: `2021-06-10 00:00:00` or `2017-08-17 05-AM`.
const CDD_AMPM = /^(\d{4})-(\d{2})-(\d{2}) (\d{2})-(AM|PM)$/;
function checkCddDate(text: string | undefined, ts: number, line: number, ctx: DecodeContext): void {
  if (text === undefined) return;
  let ms: number;
  const m = CDD_AMPM.exec(text);
  if (m) {
    const h12 = Number(m[4]);
    if (h12 < 1 || h12 > 12) {
      ctx.notice('date_unparseable', line);
      return;
    }
    ms = civilToWallMs(Number(m[1]), Number(m[2]), Number(m[3]), (h12 % 12) + (m[5] === 'PM' ? 12 : 0));
  } else {
    const p = parseDateTime(text);
    ms = p === null ? Number.NaN : p.wallMs - (p.offsetMin ?? 0) * 60_000;
  }
  if (Number.isNaN(ms)) ctx.notice('date_unparseable', line);
  else if (ms !== ts) ctx.notice('date_mismatch', line);
}

export function genericDecoder(delimiter: string): FormatDecoder {
  return headedDecoder({ format: 'generic', delimiter, order: 'unordered', calendar: 'continuous', quoted: true });
}

export function yahooDecoder(): FormatDecoder {
  return headedDecoder({ format: 'yahoo', delimiter: ',', order: 'ascending', calendar: 'weekdays', quoted: false });
}

export function cryptodatadownloadDecoder(): FormatDecoder {
  return headedDecoder({
    format: 'cryptodatadownload',
    delimiter: ',',
    order: 'descending',
    calendar: 'continuous',
    quoted: false,
  });
}

/** Recognises a format from the first lines of a file (blank lines already removed); null when none fits. */
export function detectFormat(lines: readonly string[]): ImportFormat | null {
  const [first = '', second = ''] = lines;
  if (/^\d{8} \d{6};/.test(first)) return 'histdata';
  const l = first.trim().toLowerCase();
  if (l.startsWith('open_time,') || (/^\d{10,17},\d/.test(first) && first.split(',').length >= 6)) return 'binance';
  if (/^date,open,high,low,close,adj close,volume$/.test(l)) return 'yahoo';
  if (l.includes('cryptodatadownload') || l.startsWith('unix,date,symbol,open,high,low,close')) {
    return 'cryptodatadownload';
  }
  if (/[a-z]/i.test(first) && second.length > 0) return 'generic';
  return null;
}

/** The most frequent of `,` `;` and tab in a header line (ties prefer the comma). */
export function detectDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const n = headerLine.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

export function createDecoder(format: ImportFormat, timeframe: Timeframe, headerLine: string): FormatDecoder {
  switch (format) {
    case 'histdata':
      return histdataDecoder();
    case 'binance':
      return binanceDecoder(timeframe);
    case 'yahoo':
      return yahooDecoder();
    case 'cryptodatadownload':
      return cryptodatadownloadDecoder();
    case 'generic':
      return genericDecoder(detectDelimiter(headerLine));
  }
}
