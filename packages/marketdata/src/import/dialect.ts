// How a file is split into fields and which field is what, told from its first lines (or given by the person).
import type { ImportDialect, ImportFormat } from '@neuronetiq/contracts';
import { type DateOrder, looksLikeTimeOfDay, looksNumeric, parseDateTime } from '../time/timestamps';

/** Things `--delimiter`, `--quote`, `--no-header` and `--columns` override; each omitted one is sniffed. */
export interface DialectOverrides {
  /** `,` `;` `\t` `|` or ` ` (runs of whitespace). */
  delimiter?: string;
  /** The quote character, or null for none. */
  quote?: string | null;
  /** false: the first line is data, not a header. */
  header?: boolean;
  /** Names of the file's columns in order (COLUMN_ROLES, `-` to ignore one). */
  columns?: readonly string[];
}

/** What a column can be read as. `date` + `time_of_day` are a split timestamp (MetaTrader's `<DATE>`, `<TIME>`). */
export const COLUMN_ROLES = [
  'time',
  'date',
  'time_of_day',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'close_time',
  'date_check',
  '-',
] as const;

/** Column index of each role; -1 when the file has none. */
export interface ColumnMap {
  time: number;
  timeOfDay: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Binance's close_time (an early close is noticed). */
  closeTime: number;
  /** CryptoDataDownload's date column, checked against its unix column. */
  dateCheck: number;
}

export interface SniffedDialect extends ImportDialect {
  format: ImportFormat;
  map: ColumnMap;
  /** Lines at the top that are not data: a banner (CryptoDataDownload's URL) and the header. */
  skipLines: number;
}

export class DialectError extends Error {
  constructor(
    readonly code: 'FORMAT_UNKNOWN' | 'HEADER_INVALID' | 'OPTIONS_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'DialectError';
  }
}

const CANDIDATES = [',', ';', '\t', '|'] as const;

/** Splits a line on a delimiter, honouring a quote character (doubled inside a quoted field). */
export function splitLine(line: string, delimiter: string, quote: string | null): string[] {
  if (delimiter === ' ') return line.trim().split(/[ \t]+/);
  if (quote === null || !line.includes(quote)) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === quote && line[i + 1] === quote) {
        field += c;
        i++;
      } else if (c === quote) quoted = false;
      else field += c;
    } else if (c === quote && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (line.startsWith(delimiter, i)) {
      out.push(field);
      field = '';
      i += delimiter.length - 1;
    } else field += c;
  }
  out.push(field);
  return out;
}

/** `"a\tb\tc"` → `a\tb\tc` when a line is one quoted field; null otherwise. */
export function unwrapQuotedLine(line: string): string | null {
  const t = line.trim();
  if (t.length < 2 || t[0] !== '"' || t[t.length - 1] !== '"') return null;
  const inner = t.slice(1, -1);
  if (inner.replace(/""/g, '').includes('"')) return null;
  return inner.replace(/""/g, '"');
}

type FieldKind = 'epoch' | 'datetime' | 'date' | 'time' | 'number' | 'text' | 'empty';

const DECIMAL_COMMA = /^-?\d+,\d+$/;

function classify(raw: string, order: DateOrder): FieldKind {
  const f = raw.trim();
  if (f.length === 0) return 'empty';
  if (looksNumeric(f)) {
    if (/^\d{8}$/.test(f) && parseDateTime(f) !== null) return 'date';
    const intDigits = f.replace(/^-/, '').split(/[.eE]/)[0]?.length ?? 0;
    return intDigits >= 9 ? 'epoch' : 'number';
  }
  if (DECIMAL_COMMA.test(f)) return 'number';
  if (looksLikeTimeOfDay(f)) return 'time';
  const p = parseDateTime(f, order);
  if (p !== null) return p.dateOnly ? 'date' : 'datetime';
  return 'text';
}

/** Normalises a header name: `<TICKVOL>` → `tickvol`, `Gmt time` → `gmt_time`, `Adj Close` → `adj_close`. */
function normalise(name: string): string {
  return name
    .trim()
    .replace(/^<|>$/g, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const TIME_NAMES = [
  'bar_ts',
  'timestamp',
  'datetime',
  'date_time',
  'gmt_time',
  'local_time',
  'time',
  'open_time',
  'unix',
  'ts',
  'date',
  't',
  '',
];
const OPEN_NAMES = ['open', 'o', 'open_price', 'openprice', 'first'];
const HIGH_NAMES = ['high', 'h', 'high_price', 'highprice', 'max'];
const LOW_NAMES = ['low', 'l', 'low_price', 'lowprice', 'min'];
const CLOSE_NAMES = ['close', 'c', 'close_price', 'closeprice', 'last'];
// MetaTrader 5 writes <TICKVOL> and <VOL>, the latter real volume that is 0 for FX: tick volume goes first.
const VOLUME_NAMES = ['volume', 'tick_volume', 'tickvol', 'vol', 'real_volume', 'v', 'base_volume', 'volume_from'];

function emptyMap(): ColumnMap {
  return {
    time: -1,
    timeOfDay: -1,
    open: -1,
    high: -1,
    low: -1,
    close: -1,
    volume: -1,
    closeTime: -1,
    dateCheck: -1,
  };
}

function mapHeader(header: readonly string[]): ColumnMap | null {
  const names = header.map(normalise);
  const find = (cands: readonly string[]) => {
    for (const c of cands) {
      const i = names.indexOf(c);
      if (i >= 0) return i;
    }
    return -1;
  };
  const m = emptyMap();
  m.open = find(OPEN_NAMES);
  m.high = find(HIGH_NAMES);
  m.low = find(LOW_NAMES);
  m.close = find(CLOSE_NAMES);
  if (m.open < 0 || m.high < 0 || m.low < 0 || m.close < 0) return null;
  m.volume = find(VOLUME_NAMES);
  // CryptoDataDownload names volume columns by asset ("Volume BTC", "Volume USDT"); the first is the base asset.
  if (m.volume < 0) m.volume = names.findIndex((n) => n.startsWith('volume_'));
  const date = names.indexOf('date');
  const tod = names.indexOf('time');
  if (date >= 0 && tod >= 0 && !names.includes('unix') && !names.includes('timestamp')) {
    m.time = date;
    m.timeOfDay = tod;
  } else {
    m.time = find(TIME_NAMES);
  }
  if (m.time < 0) return null;
  if (names[m.time] === 'unix' && date >= 0) m.dateCheck = date;
  m.closeTime = names.indexOf('close_time');
  return m;
}

function formatOfHeader(header: readonly string[]): ImportFormat {
  const names = header.map(normalise);
  const raw = header.map((h) => h.trim());
  if (names.includes('adj_close')) return 'yahoo';
  if (names.includes('unix') && names.includes('symbol')) return 'cryptodatadownload';
  if (names[0] === 'open_time') return 'binance';
  if (raw.some((h) => /^<.+>$/.test(h)) || names.includes('tick_volume') || names.includes('spread')) {
    return 'metatrader';
  }
  if (names.includes('gmt_time') || names.includes('local_time')) return 'dukascopy';
  if (raw[0] === '' && raw.slice(1, 5).join(',') === 'Open,High,Low,Close') return 'backtestingpy';
  // TradingView's chart export: lower-case OHLC after `time`, then `Volume` and indicator columns as they are named.
  if (raw.slice(0, 5).join(',') === 'time,open,high,low,close' && raw[5] !== 'volume') return 'tradingview';
  return 'generic';
}

/** Roles from the values of a headerless row: leading time (or date + time), then open, high, low, close, volume. */
function mapShape(fields: readonly string[], order: DateOrder): ColumnMap | null {
  const kinds = fields.map((f) => classify(f, order));
  const m = emptyMap();
  let next: number;
  // NinjaTrader may split `20170102;020000`: a six-digit number after a date is its time of day.
  const hhmmss = kinds[0] === 'date' && /^\d{6}$/.test((fields[1] ?? '').trim());
  if (((kinds[0] === 'date' || kinds[0] === 'datetime') && kinds[1] === 'time') || hhmmss) {
    m.time = 0;
    m.timeOfDay = 1;
    next = 2;
  } else if (kinds[0] === 'epoch' || kinds[0] === 'datetime' || kinds[0] === 'date') {
    m.time = 0;
    next = 1;
  } else return null;
  const priced = kinds.slice(next, next + 4);
  if (priced.length < 4 || priced.some((k) => k !== 'number')) return null;
  [m.open, m.high, m.low, m.close] = [next, next + 1, next + 2, next + 3];
  if (kinds[next + 4] === 'number') m.volume = next + 4;
  // A Binance kline dump: open time, OHLCV, close time, ….
  if (kinds[0] === 'epoch' && kinds[6] === 'epoch') m.closeTime = 6;
  return m;
}

function formatOfShape(first: string, fields: readonly string[], m: ColumnMap): ImportFormat {
  if (/^\d{8} \d{6};/.test(first)) return 'histdata';
  if (m.closeTime >= 0) return 'binance';
  if (m.timeOfDay >= 0 && /^\d{4}\.\d{2}\.\d{2}$/.test((fields[0] ?? '').trim())) return 'metatrader';
  return 'generic';
}

function mapColumnsOption(columns: readonly string[]): ColumnMap {
  const m = emptyMap();
  const seen = new Set<string>();
  columns.forEach((raw, i) => {
    const c = raw.trim().toLowerCase();
    const role = c === 'timestamp' || c === 'datetime' ? 'time' : c === 'vol' ? 'volume' : c === '' ? '-' : c;
    if (!(COLUMN_ROLES as readonly string[]).includes(role)) {
      throw new DialectError(
        'OPTIONS_INVALID',
        `--columns: "${raw}" is not a column name; use ${COLUMN_ROLES.filter((r) => r !== 'date_check' && r !== 'close_time').join(', ')}`,
      );
    }
    if (role !== '-' && seen.has(role)) throw new DialectError('OPTIONS_INVALID', `--columns: "${role}" appears twice`);
    seen.add(role);
    if (role === 'time') m.time = i;
    else if (role === 'date') m.time = i;
    else if (role === 'time_of_day') m.timeOfDay = i;
    else if (role === 'open') m.open = i;
    else if (role === 'high') m.high = i;
    else if (role === 'low') m.low = i;
    else if (role === 'close') m.close = i;
    else if (role === 'volume') m.volume = i;
  });
  if (seen.has('date') && seen.has('time')) {
    // `date,time,…`: the second one is the time of day.
    m.time = columns.findIndex((c) => c.trim().toLowerCase() === 'date');
    m.timeOfDay = columns.findIndex((c) => c.trim().toLowerCase() === 'time');
  }
  const missing = ['open', 'high', 'low', 'close'].filter((r) => !seen.has(r));
  if (m.time < 0) missing.unshift('time');
  if (missing.length > 0) {
    throw new DialectError(
      'OPTIONS_INVALID',
      `--columns needs ${missing.join(', ')} (e.g. time,open,high,low,close,volume)`,
    );
  }
  return m;
}

function describeRoles(m: ColumnMap, width: number): string[] {
  const roles: string[] = Array.from({ length: width }, () => '-');
  const set = (i: number, r: string) => {
    if (i >= 0) {
      while (roles.length <= i) roles.push('-');
      roles[i] = r;
    }
  };
  set(m.time, m.timeOfDay >= 0 ? 'date' : 'time');
  set(m.timeOfDay, 'time_of_day');
  set(m.open, 'open');
  set(m.high, 'high');
  set(m.low, 'low');
  set(m.close, 'close');
  set(m.volume, 'volume');
  set(m.closeTime, 'close_time');
  set(m.dateCheck, 'date_check');
  return roles;
}

/** The delimiter whose split gives the most consistent, most number-like rows (ties: the earlier candidate). */
function pickDelimiter(lines: readonly string[], quote: string | null): string {
  let best = ' ';
  let bestScore = 0;
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => splitLine(l, d, quote).length);
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let modeN = 0;
    for (const [c, n] of freq) if (n > modeN || (n === modeN && c > mode)) [mode, modeN] = [c, n];
    if (mode < 2 || modeN < lines.length * 0.6) continue;
    const data = lines.slice(Math.min(1, lines.length - 1));
    let useful = 0;
    let all = 0;
    for (const l of data) {
      for (const f of splitLine(l, d, quote)) {
        all++;
        const k = classify(f, 'dmy');
        if (k !== 'text' && k !== 'empty') useful++;
      }
    }
    const score = modeN / lines.length + (all > 0 ? useful / all : 0);
    if (score > bestScore + 1e-9) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function pickDateOrder(values: readonly string[]): DateOrder {
  let dmy = 0;
  let mdy = 0;
  let dots = 0;
  let slashes = 0;
  for (const v of values) {
    const m = /^(\d{1,2})([-./])(\d{1,2})\2\d{4}/.exec(v.trim());
    if (m === null) continue;
    if (Number(m[1]) > 12) dmy++;
    if (Number(m[3]) > 12) mdy++;
    if (m[2] === '.') dots++;
    if (m[2] === '/') slashes++;
  }
  if (dmy > 0 && mdy === 0) return 'dmy';
  if (mdy > 0 && dmy === 0) return 'mdy';
  return slashes > dots ? 'mdy' : 'dmy';
}

/**
 * Tells the dialect and the columns of a file from its first lines (blank lines removed, BOM stripped). Throws a
 * DialectError saying what it found when the lines are not bars.
 */
export function sniffDialect(
  headLines: readonly string[],
  overrides: DialectOverrides = {},
  forcedFormat?: ImportFormat,
): SniffedDialect {
  const sample = headLines.slice(0, 50);
  if (sample.length === 0) throw new DialectError('FORMAT_UNKNOWN', 'the file has no data lines');
  const unwrapped = sample.map(unwrapQuotedLine);
  const wholeLineQuoted =
    overrides.quote === undefined &&
    unwrapped.filter((u) => u !== null && /[\t;,| ]/.test(u)).length >= Math.ceil(sample.length * 0.9);
  const lines = wholeLineQuoted ? unwrapped.map((u, i) => u ?? (sample[i] as string)) : [...sample];

  // A banner (CryptoDataDownload's URL line) has one field whatever the delimiter.
  let skip = 0;
  while (skip < lines.length - 1 && !/[,;\t|]/.test(lines[skip] as string) && /[a-z]/i.test(lines[skip] as string)) {
    skip++;
  }
  const body = lines.slice(skip);
  const quote =
    overrides.quote !== undefined
      ? overrides.quote
      : wholeLineQuoted
        ? null
        : body.some((l) => l.includes('"'))
          ? '"'
          : null;
  const delimiter = overrides.delimiter ?? pickDelimiter(body, quote);
  const rows = body.map((l) => splitLine(l, delimiter, quote));
  const firstRow = rows[0] ?? [];
  const dateOrder = pickDateOrder(
    rows
      .slice(1)
      .flatMap((r) => r.slice(0, 2))
      .concat(firstRow.slice(0, 2)),
  );
  const firstKinds = firstRow.map((f) => classify(f, dateOrder));
  const looksLikeHeader =
    firstRow.some((f, i) => firstKinds[i] === 'text' && /[a-z]/i.test(f)) && !firstKinds.some((k) => k === 'epoch');
  const header = overrides.header ?? looksLikeHeader;
  const dataRows = header ? rows.slice(1) : rows;
  const width = Math.max(...rows.map((r) => r.length));

  let map: ColumnMap | null;
  let format: ImportFormat;
  if (overrides.columns !== undefined) {
    map = mapColumnsOption(overrides.columns);
    format = header ? formatOfHeader(firstRow) : 'generic';
  } else if (header) {
    map = mapHeader(firstRow);
    if (map === null) {
      throw new DialectError(
        'HEADER_INVALID',
        `Line ${skip + 1}: the header must name a time column (or date and time) and open, high, low, close (volume optional); found ${firstRow.map((h) => `"${h.trim()}"`).join(', ')}. Name the columns with --columns time,open,high,low,close,volume`,
      );
    }
    format = formatOfHeader(firstRow);
  } else if (forcedFormat === 'histdata' || forcedFormat === 'ninjatrader') {
    map = { ...emptyMap(), time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
    format = forcedFormat;
  } else {
    const shaped = dataRows.map((r) => mapShape(r, dateOrder)).find((m) => m !== null) ?? null;
    if (shaped === null) {
      throw new DialectError(
        'FORMAT_UNKNOWN',
        `Cannot recognise the CSV from its first line ${JSON.stringify((lines[skip] ?? '').slice(0, 120))}: expected a time (or date and time) then open, high, low, close. Name the columns with --columns (e.g. time,open,high,low,close,volume), or set --delimiter`,
      );
    }
    map = shaped;
    format = formatOfShape(lines[skip] ?? '', dataRows[0] ?? [], map);
  }

  let commas = 0;
  let points = 0;
  for (const r of dataRows) {
    for (const i of [map.open, map.high, map.low, map.close]) {
      const f = (r[i] ?? '').trim();
      if (DECIMAL_COMMA.test(f)) commas++;
      else if (/^-?\d+\.\d+$/.test(f)) points++;
    }
  }
  return {
    format: forcedFormat ?? format,
    map,
    skipLines: skip + (header ? 1 : 0),
    delimiter,
    quote,
    wholeLineQuoted,
    decimalComma: commas > 0 && points === 0,
    header,
    dateOrder,
    columns: describeRoles(map, width),
  };
}
