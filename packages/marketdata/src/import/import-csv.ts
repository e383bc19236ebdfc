import { createReadStream, statSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import {
  type OhlcvBar,
  type ResampleSummary,
  SymbolSchema,
  TIMEFRAME_MS,
  TIMEFRAMES,
  type Timeframe,
  TimeframeSchema,
} from '@neuronetiq/contracts';
import { parse } from 'csv-parse';
import { DateTime, FixedOffsetZone } from 'luxon';
import { type CalendarName, calendarForSymbol, getCalendar } from '../resample/calendars';
import { findGaps } from '../resample/gaps';
import { createResampler } from '../resample/resample';
import { civilToWallMs, epochToMs, epochUnit, looksNumeric, parseDateTime } from '../time/timestamps';
import { createZoneClock, normalizeZone, ZONE_FORMS, type ZoneClock } from '../time/zone-clock';
import { checkClock } from './clock-check';
import { DialectError, type DialectOverrides, type SniffedDialect, sniffDialect } from './dialect';
import {
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportReport,
  LineCounter,
  type NoticeKind,
  type RejectReason,
} from './report';

export interface ImportProgress {
  /** `read`: parsing the file (bytes known); `store`: handing checked bars to the sink. */
  phase: 'read' | 'store';
  rowsRead: number;
  stored: number;
  rejected: number;
  duplicates: number;
  bytesRead: number;
  /** File size when the source is a path; null for a stream of unknown length. */
  totalBytes: number | null;
  /** Bars the store phase will hand to the sink (0 while reading). */
  toStore: number;
}

export interface ImportOptions {
  /** Instrument symbol stored on every bar (e.g. EURUSD). */
  symbol: string;
  /** Timeframe of the file's bars (every bar_ts must sit on its UTC boundary); omitted: told from the bars' spacing. */
  timeframe?: Timeframe;
  /** Omit to recognise the layout from the first lines. */
  format?: ImportFormat;
  /**
   * Zone that timestamps without an offset are read in: an IANA name or a fixed offset (ZONE_FORMS). Omitted: UTC,
   * checked against the market's week. Epoch numbers and timestamps with an explicit offset are absolute and ignore
   * it; date-only values are trading days labelled 00:00 UTC.
   */
  tz?: string;
  /** Store even when the bars' weekly rhythm says the clock is wrong (only needed without `tz`). */
  force?: boolean;
  /** Market calendar that gaps (and the clock) are checked against; default by format, symbol, timeframe. */
  calendar?: CalendarName;
  /** Overrides of the sniffed dialect (`--delimiter`, `--quote`, `--no-header`, `--columns`). */
  dialect?: DialectOverrides;
  /** Also build and store these larger timeframes from the stored bars (edge buckets with missing parts left out). */
  resample?: readonly Timeframe[];
  /** Check and report, hand nothing to the sink. */
  dryRun?: boolean;
  /** Bars per sink call. Default 5,000. */
  chunkSize?: number;
  /** Line numbers kept per reason in the report (counts are always exact). Default 20. */
  maxLinesPerReason?: number;
  /** A bar whose open and close differ by more than this factor is rejected as `suspect_price`. Default 2. */
  maxBodyRatio?: number;
  /** Gaps listed in the report (counts are always exact). Default 20. */
  maxGapsListed?: number;
  onProgress?: (p: ImportProgress) => void;
}

export type BarSink = (bars: OhlcvBar[]) => Promise<void>;

export class ImportError extends Error {
  constructor(
    readonly code: 'FORMAT_UNKNOWN' | 'HEADER_INVALID' | 'OPTIONS_INVALID' | 'CLOCK_SUSPECT',
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

const DEFAULT_CHUNK = 5_000;
const PEEK_BYTES = 64 * 1024;
const PEEK_LINES = 60;

type TimestampKind = 'epoch_s' | 'epoch_ms' | 'epoch_us' | 'epoch_ns' | 'offset' | 'wall' | 'date_only';
const EPOCH_KIND = { s: 'epoch_s', ms: 'epoch_ms', us: 'epoch_us', ns: 'epoch_ns' } as const;

/** Columns of the rows whose timestamp was read, in file order; grown by doubling. */
class Rows {
  n = 0;
  ts = new Float64Array(1 << 14);
  reading = new Float64Array(1 << 14);
  open = new Float64Array(1 << 14);
  high = new Float64Array(1 << 14);
  low = new Float64Array(1 << 14);
  close = new Float64Array(1 << 14);
  /** NaN: no volume. */
  volume = new Float64Array(1 << 14);
  line = new Float64Array(1 << 14);

  push(ts: number, reading: number, o: number, h: number, l: number, c: number, v: number, line: number): void {
    if (this.n === this.ts.length) this.grow();
    const i = this.n++;
    this.ts[i] = ts;
    this.reading[i] = reading;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
    this.volume[i] = v;
    this.line[i] = line;
  }

  private grow(): void {
    const size = this.ts.length * 2;
    for (const k of ['ts', 'reading', 'open', 'high', 'low', 'close', 'volume', 'line'] as const) {
      const next = new Float64Array(size);
      next.set(this[k]);
      this[k] = next;
    }
  }
}

/** A file read and checked: the report, and the bars to store in time order. */
export interface CheckedImport {
  report: ImportReport;
  /** Hands the checked bars (then the resampled ones) to the sink in chunks; refuses when the report did. */
  store(sink: BarSink): Promise<ImportReport>;
}

function validateOptions(options: ImportOptions): { symbol: string; zone: ZoneClock; tz: string } {
  const symbol = SymbolSchema.safeParse(options.symbol);
  if (!symbol.success)
    throw new ImportError('OPTIONS_INVALID', `symbol "${options.symbol}" ${symbol.error.issues[0]?.message}`);
  if (options.timeframe !== undefined && !TimeframeSchema.safeParse(options.timeframe).success) {
    throw new ImportError('OPTIONS_INVALID', `timeframe "${options.timeframe}" is not one of ${TIMEFRAMES.join(', ')}`);
  }
  if (options.format !== undefined && !IMPORT_FORMATS.includes(options.format)) {
    throw new ImportError('OPTIONS_INVALID', `format "${options.format}" is not one of ${IMPORT_FORMATS.join(', ')}`);
  }
  const tz = options.tz === undefined ? 'UTC' : normalizeZone(options.tz);
  if (tz === null) throw new ImportError('OPTIONS_INVALID', `Unknown time zone "${options.tz}": use ${ZONE_FORMS}`);
  return { symbol: symbol.data, zone: createZoneClock(tz), tz };
}

/**
 * Reads a CSV of OHLCV bars whole and checks it, without storing anything: every row ends up stored (in time order,
 * one per timestamp: the first in the file), a surplus duplicate, or rejected with its reason and line. The clock
 * is checked against the market's week; a clearly better-fitting clock makes `store` refuse unless `tz` or `force`
 * was given.
 */
export async function readCsv(source: Readable | string, options: ImportOptions): Promise<CheckedImport> {
  const started = performance.now();
  const { symbol, zone, tz } = validateOptions(options);
  const maxLines = options.maxLinesPerReason ?? 20;
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  const totalBytes = typeof source === 'string' ? statSync(source).size : null;
  let bytesRead = 0;

  // Peek at the first lines to sniff the dialect, then replay them to the parser.
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const peeked: Buffer[] = [];
  let peekedBytes = 0;
  let exhausted = false;
  let dialect: SniffedDialect;
  try {
    while (peekedBytes < PEEK_BYTES) {
      const { value, done } = await iterator.next();
      if (done) {
        exhausted = true;
        break;
      }
      const buf = typeof value === 'string' ? Buffer.from(value) : value;
      peeked.push(buf);
      peekedBytes += buf.length;
      if (countNewlines(peeked) >= PEEK_LINES) break;
    }
    let head = Buffer.concat(peeked)
      .toString('utf8', 0, Math.min(peekedBytes, PEEK_BYTES))
      .replace(/^\uFEFF/, '');
    // The last line of a partial peek may be cut short.
    if (!exhausted) head = head.slice(0, Math.max(head.lastIndexOf('\n'), 0));
    const headLines = head.split(/\r\n|\n|\r/).filter((l) => l.trim().length > 0);
    if (headLines.length === 0 && options.format !== undefined) {
      dialect = emptyDialect(options.format);
    } else {
      dialect = sniffDialect(headLines, options.dialect, options.format);
    }
  } catch (e) {
    // The parser never took the stream over, so nothing else would close the file.
    input.destroy();
    if (e instanceof DialectError) throw new ImportError(e.code, e.message);
    throw e;
  }

  async function* bytes(): AsyncGenerator<Buffer> {
    for (const b of peeked) {
      bytesRead += b.length;
      yield b;
    }
    if (exhausted) return;
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return;
      const buf = typeof value === 'string' ? Buffer.from(value) : value;
      bytesRead += buf.length;
      yield buf;
    }
  }
  const quoted = dialect.quote !== null && !dialect.wholeLineQuoted;
  const parser = parse({
    delimiter: dialect.delimiter === ' ' ? [' ', '\t'] : dialect.delimiter,
    quote: quoted ? dialect.quote : false,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    bom: true,
    info: quoted,
  });
  // pipeline forwards a source error to the parser, which makes the loop below throw it.
  pipeline(Readable.from(bytes(), { objectMode: false }), parser, () => {});

  const rejected = new LineCounter<RejectReason>(maxLines);
  const notices = new LineCounter<NoticeKind>(maxLines);
  const kinds = new Set<TimestampKind>();
  const rows = new Rows();
  let rowsRead = 0;
  let headerLines = 0;
  let blankLines = 0;
  let line = 0;
  let toSkip = dialect.skipLines;
  let lastTs = Number.NEGATIVE_INFINITY;
  let backwards = 0;
  let forwards = 0;
  const map = dialect.map;
  const comma = dialect.decimalComma;
  const num = (s: string | undefined): number => {
    if (s === undefined) return Number.NaN;
    const t = comma ? s.trim().replace(',', '.') : s.trim();
    // Number('') is 0: a silent zero price.
    return t.length === 0 ? Number.NaN : Number(t);
  };
  const fastHistdata =
    (dialect.format === 'histdata' || dialect.format === 'ninjatrader') &&
    dialect.delimiter === ';' &&
    map.time === 0 &&
    map.timeOfDay < 0 &&
    !comma;
  const wallToUtc = (wallMs: number, l: number): number => {
    const r = zone.resolve(wallMs);
    if (r.kind === 'exact') return r.ms;
    if (r.kind === 'nonexistent') return Number.NaN;
    notices.add('ambiguous_local_time', l);
    // Of the two instants a repeated local time names, take the one that keeps the file's order.
    if (backwards > forwards) return r.laterMs < lastTs ? r.laterMs : r.ms;
    return r.ms > lastTs || r.laterMs <= lastTs ? r.ms : r.laterMs;
  };

  let reading = 0;
  /** Fills `ts` and `reading`; returns a reject reason or null. */
  const decodeTime = (r: string[], l: number): number | RejectReason => {
    if (fastHistdata) {
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
      kinds.add('wall');
      reading = wall;
      const ts = wallToUtc(wall, l);
      return Number.isNaN(ts) ? 'nonexistent_local_time' : ts;
    }
    const raw = r[map.time];
    const tod = map.timeOfDay >= 0 ? r[map.timeOfDay] : undefined;
    if (raw === undefined || (map.timeOfDay >= 0 && tod === undefined)) return 'wrong_field_count';
    const text = raw.trim();
    if (tod === undefined && looksNumeric(text) && text.length !== 8) {
      const unit = epochUnit(text);
      if (unit === null) return 'unparseable';
      kinds.add(EPOCH_KIND[unit]);
      reading = epochToMs(text);
      return reading;
    }
    const p = parseDateTime(text, dialect.dateOrder, tod);
    if (p === null) return 'unparseable';
    reading = p.wallMs;
    if (p.dateOnly) {
      // A date without a time names a trading day, not an instant: it is labelled 00:00 UTC of that date, the
      // contracts' daily boundary, whatever the zone (converting it would move a daily bar off its boundary).
      kinds.add('date_only');
      return p.wallMs;
    }
    if (p.offsetMin !== null) {
      kinds.add('offset');
      return p.wallMs - p.offsetMin * 60_000;
    }
    kinds.add('wall');
    const ts = wallToUtc(p.wallMs, l);
    return Number.isNaN(ts) ? 'nonexistent_local_time' : ts;
  };

  const readProgress = (): ImportProgress => ({
    phase: 'read',
    rowsRead,
    stored: 0,
    rejected: rejected.total,
    duplicates: 0,
    bytesRead,
    totalBytes,
    toStore: 0,
  });

  // Records are read synchronously while the parser has them buffered; the loop awaits only when the parser is
  // empty, which is several times cheaper than one await per record (for await).
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  parser.on('readable', signal);
  parser.on('end', () => {
    ended = true;
    signal();
  });
  parser.on('error', (e) => {
    failure = e;
    signal();
  });
  const needed = Math.max(map.open, map.high, map.low, map.close);
  let sinceProgress = 0;
  try {
    for (;;) {
      if (failure !== null) throw failure;
      const item: unknown = parser.read();
      if (item === null) {
        if (ended) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      let record: string[];
      if (quoted) {
        const withInfo = item as { record: string[]; info: { lines: number } };
        record = withInfo.record;
        line = withInfo.info.lines;
      } else {
        record = item as string[];
        line++;
      }
      if (dialect.delimiter === ' ') record = record.filter((f) => f.length > 0);
      if (record.length === 0 || (record.length === 1 && (record[0] as string).trim().length === 0)) {
        blankLines++;
        continue;
      }
      if (dialect.wholeLineQuoted) record = unwrapRecord(record);
      if (toSkip > 0) {
        toSkip--;
        headerLines++;
        continue;
      }
      rowsRead++;
      if (++sinceProgress === 50_000) {
        sinceProgress = 0;
        options.onProgress?.(readProgress());
      }
      if (record.length <= needed) {
        rejected.add('wrong_field_count', line);
        continue;
      }
      const ts = decodeTime(record, line);
      if (typeof ts === 'string') {
        rejected.add(ts, line);
        continue;
      }
      if (ts < lastTs) backwards++;
      else if (ts > lastTs && lastTs !== Number.NEGATIVE_INFINITY) forwards++;
      lastTs = ts;
      const vText = map.volume >= 0 ? record[map.volume] : undefined;
      let volume = vText === undefined || vText.trim().length === 0 ? Number.NaN : num(vText);
      if (Number.isNaN(volume) && vText !== undefined && vText.trim().length > 0) volume = Number.NEGATIVE_INFINITY;
      // HistData writes 0 for every bar: FX has no central volume, so "unknown" is the truthful value.
      if (dialect.format === 'histdata' && volume === 0) volume = Number.NaN;
      if (map.closeTime >= 0) checkCloseTime(record[map.closeTime], ts, options.timeframe, line, notices);
      if (map.dateCheck >= 0) checkCddDate(record[map.dateCheck], ts, line, notices);
      rows.push(
        ts,
        reading,
        num(record[map.open]),
        num(record[map.high]),
        num(record[map.low]),
        num(record[map.close]),
        volume,
        line,
      );
    }
  } finally {
    parser.destroy();
  }
  options.onProgress?.(readProgress());
  return checkRows(rows, {
    options,
    symbol,
    tz,
    zone,
    dialect,
    kinds,
    rejected,
    notices,
    rowsRead,
    headerLines,
    blankLines,
    started,
    order: backwards > forwards ? 'descending' : 'ascending',
    bytes: () => ({ bytesRead, totalBytes }),
  });
}

/**
 * Reads, checks and stores a CSV: `readCsv` then `store`. Throws ImportError `CLOCK_SUSPECT` (nothing stored) when
 * the clock check refuses.
 */
export async function importCsv(
  source: Readable | string,
  options: ImportOptions,
  sink: BarSink,
): Promise<ImportReport> {
  const checked = await readCsv(source, options);
  if (checked.report.refused !== null) throw new ImportError('CLOCK_SUSPECT', checked.report.refused);
  return checked.store(sink);
}

interface CheckContext {
  options: ImportOptions;
  symbol: string;
  tz: string;
  zone: ZoneClock;
  dialect: SniffedDialect;
  kinds: Set<TimestampKind>;
  rejected: LineCounter<RejectReason>;
  notices: LineCounter<NoticeKind>;
  rowsRead: number;
  headerLines: number;
  blankLines: number;
  started: number;
  order: 'ascending' | 'descending';
  bytes: () => { bytesRead: number; totalBytes: number | null };
}

function checkRows(rows: Rows, x: CheckContext): CheckedImport {
  const { options, rejected, notices } = x;
  const maxLines = options.maxLinesPerReason ?? 20;
  const maxBodyRatio = options.maxBodyRatio ?? 2;
  const n = rows.n;
  const timeframe = options.timeframe ?? inferTimeframe(rows);
  const tfMs = TIMEFRAME_MS[timeframe];

  // Order, on the file as it is: steps against its direction, and rows behind the latest row seen before them.
  const sign = x.order === 'ascending' ? 1 : -1;
  const outOfOrder = new LineCounter<'row'>(maxLines);
  let backwardSteps = 0;
  let latest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = sign * (rows.ts[i] as number);
    if (i > 0 && t < sign * (rows.ts[i - 1] as number)) backwardSteps++;
    if (t < latest) outOfOrder.add('row', rows.line[i] as number);
    else latest = t;
  }

  // Values, row by row.
  const valid: number[] = [];
  const ohlc = new LineCounter<'row'>(maxLines);
  for (let i = 0; i < n; i++) {
    const reason = validate(rows, i, tfMs, maxBodyRatio);
    if (reason === null) valid.push(i);
    else {
      rejected.add(reason, rows.line[i] as number);
      if (reason === 'high_below_low' || reason === 'ohlc_inconsistent') ohlc.add('row', rows.line[i] as number);
    }
  }

  // One bar per timestamp, the first in the file; surplus rows counted as identical or conflicting copies.
  const sorted = Uint32Array.from(valid).sort((a, b) => (rows.ts[a] as number) - (rows.ts[b] as number) || a - b);
  const kept: number[] = [];
  const dupLines = new LineCounter<'row'>(maxLines);
  let dupTimestamps = 0;
  let identical = 0;
  let conflicting = 0;
  const surplusLines: number[] = [];
  for (let k = 0; k < sorted.length; k++) {
    const i = sorted[k] as number;
    const prev = kept.at(-1);
    if (prev !== undefined && rows.ts[prev] === rows.ts[i]) {
      if (sorted[k - 1] === prev) dupTimestamps++;
      if (sameValues(rows, prev, i)) identical++;
      else conflicting++;
      surplusLines.push(rows.line[i] as number);
      continue;
    }
    kept.push(i);
  }
  for (const l of surplusLines.sort((a, b) => a - b)) dupLines.add('row', l);

  const storedTs = Float64Array.from(kept, (i) => rows.ts[i] as number);
  const readings = Float64Array.from(kept, (i) => rows.reading[i] as number);
  for (const i of kept) if (rows.volume[i] === 0) notices.add('zero_volume', rows.line[i] as number);
  const noticesSorted = sortLineLists(notices.byKey);

  const { calendar, chosenBy } = chooseCalendar(options, x.dialect.format, x.symbol, timeframe);
  const clockSkip =
    getCalendar(calendar).zone === null
      ? `no clock check on the ${calendar} calendar (it has no hours in a clock of its own to check against)`
      : !x.kinds.has('wall')
        ? 'the timestamps carry their clock (epoch numbers, explicit offsets or dates): nothing to check'
        : tfMs >= TIMEFRAME_MS['1d']
          ? 'daily bars: their date is the trading day, not a clock reading'
          : null;
  const clockCheck = checkClock({
    readings,
    timeframeMs: tfMs,
    calendar,
    zone: x.tz,
    skipReason: clockSkip,
  });
  const tzGiven = options.tz !== undefined;
  const { mismatch, ...clockReport } = clockCheck;
  const warnings: string[] = [];
  let refused: string | null = null;
  if (mismatch && !tzGiven && !options.force) {
    refused = `the clock looks wrong: ${clockCheck.message}, or --force to store the bars as read as UTC`;
  } else if (mismatch) {
    warnings.push(`clock: ${clockCheck.message}${tzGiven ? ' (kept as given by --tz)' : ' (stored anyway: --force)'}`);
  } else if (clockCheck.status === 'suspect') {
    warnings.push(`clock: ${clockCheck.message}`);
  }
  if (x.dialect.format === 'histdata' && x.zone.isFixed && x.kinds.has('wall')) {
    warnings.push(
      `HistData files are New York local time with daylight saving; read as ${x.tz} they are off by 4-5 hours. Pass --tz America/New_York.`,
    );
  }
  if (!x.kinds.has('wall') && tzGiven && kept.length > 0) {
    warnings.push(
      `--tz ${options.tz} was not used: every timestamp in the file is absolute (epoch or explicit offset) or a date.`,
    );
  }
  if (options.timeframe === undefined) warnings.push(`timeframe ${timeframe} told from the spacing of the bars`);

  const resampled = resampleSummaries(rows, kept, x.symbol, timeframe, options.resample ?? []);
  const fileClock = (ms: number, reading: number) => {
    if (!x.kinds.has('wall')) return new Date(ms).toISOString();
    const offsetMin = Math.round((reading - ms) / 60_000);
    return DateTime.fromMillis(ms, { zone: FixedOffsetZone.instance(offsetMin) }).toISO() as string;
  };
  const firstI = kept[0];
  const lastI = kept.at(-1);
  const gaps = findGaps(storedTs, timeframe, { calendar, maxListed: options.maxGapsListed ?? 20 });
  const report: ImportReport = {
    symbol: x.symbol,
    timeframe,
    timeframeInferred: options.timeframe === undefined,
    format: x.dialect.format,
    formatDetected: options.format === undefined,
    dialect: {
      delimiter: x.dialect.delimiter,
      quote: x.dialect.quote,
      wholeLineQuoted: x.dialect.wholeLineQuoted,
      decimalComma: x.dialect.decimalComma,
      header: x.dialect.header,
      dateOrder: x.dialect.dateOrder,
      columns: x.dialect.columns,
    },
    clock: describeClock(x.kinds, x.tz, x.zone.isFixed, tzGiven),
    tz: x.tz,
    tzGiven,
    clockCheck: clockReport,
    calendar,
    calendarChosenBy: chosenBy,
    rowsRead: x.rowsRead,
    headerLines: x.headerLines,
    blankLines: x.blankLines,
    dryRun: options.dryRun === true,
    stored: refused === null ? kept.length : 0,
    refused,
    duplicates: {
      count: surplusLines.length,
      lines: dupLines.byKey.row?.lines ?? [],
      timestamps: dupTimestamps,
      identical,
      conflicting,
      kept: 'first',
    },
    rejected: { count: rejected.total, byReason: sortLineLists(rejected.byKey) },
    ohlcInconsistencies: sortedList(ohlc.byKey.row),
    notices: noticesSorted,
    order: x.order,
    outOfOrder: { ...(outOfOrder.byKey.row ?? { count: 0, lines: [] }), backwardSteps },
    gaps,
    range: {
      first: firstI === undefined ? null : new Date(rows.ts[firstI] as number).toISOString(),
      last: lastI === undefined ? null : new Date(rows.ts[lastI] as number).toISOString(),
      firstFileClock:
        firstI === undefined ? null : fileClock(rows.ts[firstI] as number, rows.reading[firstI] as number),
      lastFileClock: lastI === undefined ? null : fileClock(rows.ts[lastI] as number, rows.reading[lastI] as number),
    },
    resampled: refused === null ? resampled.map((r) => r.summary) : [],
    warnings,
    durationMs: performance.now() - x.started,
  };

  return {
    report,
    async store(sink) {
      if (report.refused !== null) throw new ImportError('CLOCK_SUSPECT', report.refused);
      if (options.dryRun) return report;
      const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
      const total = kept.length + resampled.reduce((s, r) => s + r.bars.length, 0);
      let handed = 0;
      const progress = () =>
        options.onProgress?.({
          phase: 'store',
          rowsRead: x.rowsRead,
          stored: handed,
          rejected: rejected.total,
          duplicates: surplusLines.length,
          ...x.bytes(),
          toStore: total,
        });
      const iso = createIsoFormatter();
      for (let k = 0; k < kept.length; k += chunkSize) {
        const chunk: OhlcvBar[] = [];
        for (let j = k; j < Math.min(k + chunkSize, kept.length); j++) {
          chunk.push(barAt(rows, kept[j] as number, x.symbol, timeframe, iso));
        }
        await sink(chunk);
        handed += chunk.length;
        progress();
      }
      for (const r of resampled) {
        for (let k = 0; k < r.bars.length; k += chunkSize) {
          const chunk = r.bars.slice(k, k + chunkSize);
          await sink(chunk);
          handed += chunk.length;
          progress();
        }
      }
      report.durationMs = performance.now() - x.started;
      return report;
    },
  };
}

function barAt(rows: Rows, i: number, symbol: string, timeframe: Timeframe, iso: (ms: number) => string): OhlcvBar {
  const v = rows.volume[i] as number;
  return {
    symbol,
    timeframe,
    bar_ts: iso(rows.ts[i] as number),
    open: rows.open[i] as number,
    high: rows.high[i] as number,
    low: rows.low[i] as number,
    close: rows.close[i] as number,
    volume: Number.isNaN(v) ? null : v,
  };
}

function resampleSummaries(
  rows: Rows,
  kept: readonly number[],
  symbol: string,
  from: Timeframe,
  targets: readonly Timeframe[],
): Array<{ summary: ResampleSummary; bars: OhlcvBar[] }> {
  const out: Array<{ summary: ResampleSummary; bars: OhlcvBar[] }> = [];
  const iso = createIsoFormatter();
  for (const to of targets) {
    const fromMs = TIMEFRAME_MS[from];
    const toMs = TIMEFRAME_MS[to];
    if (toMs <= fromMs || toMs % fromMs !== 0) {
      throw new ImportError(
        'OPTIONS_INVALID',
        `cannot resample ${from} to ${to}: it must be a larger multiple of ${from}`,
      );
    }
    const resampler = createResampler(symbol, from, to);
    const bars: OhlcvBar[] = [];
    const summary: ResampleSummary = { timeframe: to, bars: 0, sparseBuckets: 0, leftOut: [] };
    const take = (closed: ReturnType<typeof resampler.flush>) => {
      for (const c of closed) {
        if (c.info.status === 'complete') {
          bars.push(c.bar);
          if (c.info.sourceBars < c.info.expectedSourceBars) summary.sparseBuckets++;
        } else {
          summary.leftOut.push({
            bar_ts: c.info.bar_ts,
            status: c.info.status,
            sourceBars: c.info.sourceBars,
            expectedSourceBars: c.info.expectedSourceBars,
          });
        }
      }
    };
    for (const i of kept) take(resampler.push(barAt(rows, i, symbol, from, iso)));
    take(resampler.flush());
    summary.bars = bars.length;
    out.push({ summary, bars });
  }
  return out;
}

function chooseCalendar(
  options: ImportOptions,
  format: ImportFormat,
  symbol: string,
  timeframe: Timeframe,
): { calendar: CalendarName; chosenBy: ImportReport['calendarChosenBy'] } {
  if (options.calendar !== undefined) return { calendar: options.calendar, chosenBy: 'option' };
  if (format === 'yahoo') return { calendar: 'weekdays', chosenBy: 'format' };
  if (format === 'histdata') return { calendar: 'fx', chosenBy: 'format' };
  if (format === 'binance' || format === 'cryptodatadownload') return { calendar: 'crypto', chosenBy: 'format' };
  const bySymbol = calendarForSymbol(symbol);
  if (bySymbol !== null) return { calendar: bySymbol, chosenBy: 'symbol' };
  if (timeframe === '1d') return { calendar: 'weekdays', chosenBy: 'timeframe' };
  return { calendar: 'continuous', chosenBy: 'default' };
}

/** The contracts' timeframe that most steps between consecutive bars equal. */
function inferTimeframe(rows: Rows): Timeframe {
  const ts = Float64Array.from(rows.ts.subarray(0, Math.min(rows.n, 20_000))).sort();
  const counts = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = (ts[i] as number) - (ts[i - 1] as number);
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let mode = 0;
  let modeN = 0;
  for (const [d, c] of counts) if (c > modeN) [mode, modeN] = [d, c];
  const tf = TIMEFRAMES.find((t) => TIMEFRAME_MS[t] === mode);
  if (tf === undefined) {
    throw new ImportError(
      'OPTIONS_INVALID',
      mode === 0
        ? 'cannot tell the timeframe from fewer than two bars: give it (--tf)'
        : `cannot tell the timeframe: most bars are ${mode / 60_000} minutes apart, which is none of ${TIMEFRAMES.join(', ')}; give it (--tf)`,
    );
  }
  return tf;
}

function sameValues(rows: Rows, a: number, b: number): boolean {
  const eq = (x: number, y: number) => x === y || (Number.isNaN(x) && Number.isNaN(y));
  return (
    rows.open[a] === rows.open[b] &&
    rows.high[a] === rows.high[b] &&
    rows.low[a] === rows.low[b] &&
    rows.close[a] === rows.close[b] &&
    eq(rows.volume[a] as number, rows.volume[b] as number)
  );
}

/** The checks of OhlcvBarSchema (kept in step by a test that parses every stored bar), plus a corrupt-print check. */
function validate(rows: Rows, i: number, tfMs: number, maxBodyRatio: number): RejectReason | null {
  const ts = rows.ts[i] as number;
  const open = rows.open[i] as number;
  const high = rows.high[i] as number;
  const low = rows.low[i] as number;
  const close = rows.close[i] as number;
  const volume = rows.volume[i] as number;
  if (
    !Number.isFinite(ts) ||
    !Number.isFinite(open) ||
    !Number.isFinite(high) ||
    !Number.isFinite(low) ||
    !Number.isFinite(close)
  ) {
    return 'unparseable';
  }
  if (volume === Number.NEGATIVE_INFINITY || volume === Number.POSITIVE_INFINITY) return 'unparseable';
  if (ts % tfMs !== 0) return 'unaligned_timestamp';
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'non_positive_price';
  if (high < low) return 'high_below_low';
  if (open > high || open < low || close > high || close < low) return 'ohlc_inconsistent';
  if (volume < 0) return 'negative_volume';
  if ((open > close ? open / close : close / open) > maxBodyRatio) return 'suspect_price';
  return null;
}

function sortedList(l: { count: number; lines: number[] } | undefined): { count: number; lines: number[] } {
  return l === undefined ? { count: 0, lines: [] } : { count: l.count, lines: [...l.lines].sort((a, b) => a - b) };
}

function sortLineLists<K extends string>(
  byKey: Partial<Record<K, { count: number; lines: number[] }>>,
): Partial<Record<K, { count: number; lines: number[] }>> {
  const out: Partial<Record<K, { count: number; lines: number[] }>> = {};
  for (const [k, v] of Object.entries(byKey) as [K, { count: number; lines: number[] }][]) out[k] = sortedList(v);
  return out;
}

function unwrapRecord(record: string[]): string[] {
  const out = record.slice();
  const first = out[0] as string;
  if (first.startsWith('"')) out[0] = first.slice(1);
  const lastIndex = out.length - 1;
  const last = out[lastIndex] as string;
  if (last.endsWith('"')) out[lastIndex] = last.slice(0, -1);
  return out;
}

function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

function checkCloseTime(
  text: string | undefined,
  ts: number,
  timeframe: Timeframe | undefined,
  line: number,
  notices: LineCounter<NoticeKind>,
): void {
  if (text === undefined || text.length === 0 || timeframe === undefined) return;
  const closeMs = epochToMs(text.trim());
  if (closeMs + 1 < ts + TIMEFRAME_MS[timeframe]) notices.add('early_close', line);
}

// CryptoDataDownload's date column is UTC in one of two shapes: `2021-06-10 00:00:00` or `2017-08-17 05-AM`.
function checkCddDate(text: string | undefined, ts: number, line: number, notices: LineCounter<NoticeKind>): void {
  if (text === undefined) return;
  const p = parseDateTime(text);
  const ms = p === null ? Number.NaN : p.wallMs - (p.offsetMin ?? 0) * 60_000;
  if (Number.isNaN(ms)) notices.add('date_unparseable', line);
  else if (ms !== ts) notices.add('date_mismatch', line);
}

function emptyDialect(format: ImportFormat): SniffedDialect {
  return {
    format,
    map: { time: 0, timeOfDay: -1, open: 1, high: 2, low: 3, close: 4, volume: 5, closeTime: -1, dateCheck: -1 },
    skipLines: 0,
    delimiter: ',',
    quote: null,
    wholeLineQuoted: false,
    decimalComma: false,
    header: false,
    dateOrder: 'dmy',
    columns: [],
  };
}

const DAY_MS = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * Date#toISOString for bar times, several times faster on sorted input: the date part is built once per UTC day.
 * Output is identical to toISOString for years 0000-9999 (a test compares them).
 */
export function createIsoFormatter(): (ms: number) => string {
  let day = Number.NaN;
  let prefix = '';
  return (ms) => {
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      const s = new Date(d * DAY_MS).toISOString();
      if (s.length !== 24) return new Date(ms).toISOString();
      day = d;
      prefix = s.slice(0, 11);
    }
    const rest = ms - d * DAY_MS;
    const msPart = rest % 1000;
    const sec = Math.floor(rest / 1000);
    const msText = msPart < 10 ? `00${msPart}` : msPart < 100 ? `0${msPart}` : `${msPart}`;
    return `${prefix}${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor(sec / 60) % 60)}:${pad2(sec % 60)}.${msText}Z`;
  };
}

function countNewlines(bufs: Buffer[]): number {
  let n = 0;
  for (const b of bufs) for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

function describeClock(kinds: Set<TimestampKind>, tz: string, isFixed: boolean, tzGiven: boolean): string {
  const parts: string[] = [];
  const units = (['epoch_s', 'epoch_ms', 'epoch_us', 'epoch_ns'] as const).filter((k) => kinds.has(k));
  if (units.length > 0) {
    parts.push(`Unix epoch (${units.map((u) => u.slice(6)).join(' and ')}, unit told by magnitude; absolute, UTC)`);
  }
  if (kinds.has('offset')) parts.push('timestamps with an explicit offset (absolute)');
  if (kinds.has('wall')) {
    const source = tzGiven ? 'given' : 'assumed: no --tz';
    parts.push(
      isFixed
        ? `local times read as ${tz} (${source}; fixed offset, no daylight saving)`
        : `local times read as ${tz} wall clock (${source}; daylight saving from the IANA time-zone database)`,
    );
  }
  if (kinds.has('date_only')) parts.push('dates without a time: trading days, each labelled 00:00 UTC of its date');
  if (parts.length === 0) parts.push(`no timestamps read; local times would be read as ${tz}`);
  return `${parts.join('; ')}; stored as UTC`;
}
