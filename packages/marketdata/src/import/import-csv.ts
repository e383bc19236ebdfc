import { createReadStream, statSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { type OhlcvBar, SymbolSchema, TIMEFRAME_MS, type Timeframe, TimeframeSchema } from '@neuronetiq/contracts';
import { parse } from 'csv-parse';
import type { CalendarName } from '../resample/calendars';
import { findGaps } from '../resample/gaps';
import { createZoneClock, type ZoneClock } from '../time/zone-clock';
import {
  createDecoder,
  type DecodeContext,
  type DecodedRow,
  detectFormat,
  ImportError,
  type TimestampKind,
} from './formats';
import {
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportReport,
  LineCounter,
  type NoticeKind,
  type RejectReason,
} from './report';

export interface ImportProgress {
  rowsRead: number;
  stored: number;
  rejected: number;
  duplicates: number;
  bytesRead: number;
  /** File size when the source is a path; null for a stream of unknown length. */
  totalBytes: number | null;
}

export interface ImportOptions {
  /** Instrument symbol stored on every bar (e.g. EURUSD). */
  symbol: string;
  /** Timeframe of the file's bars; every bar_ts must sit on its UTC boundary. */
  timeframe: Timeframe;
  /** Omit to recognise the format from the first lines. */
  format?: ImportFormat;
  /**
   * IANA zone that timestamps without an offset are read in (default `UTC`). Epoch numbers and timestamps with an
   * explicit offset are absolute and ignore it; date-only values are trading days labelled 00:00 UTC.
   */
  tz?: string;
  /** Market calendar that gaps are counted against; the default depends on the format (fx for HistData, …). */
  calendar?: CalendarName;
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

const DEFAULT_CHUNK = 5_000;
const PEEK_BYTES = 64 * 1024;

/**
 * Streams a CSV of OHLCV bars into `sink` in chunks and reports on every row. Rules:
 * - every data row ends up in exactly one of stored, duplicates (identical to an earlier row with the same
 *   timestamp: dropped) or rejected (with a reason and its line number); nothing is dropped silently;
 * - same timestamp with different values: the first row wins (it was already handed to the sink) and the later
 *   one is rejected as `conflicting_duplicate`;
 * - formats that promise an order (HistData, Binance, Yahoo ascending; CryptoDataDownload descending) reject a
 *   row that breaks it as `out_of_order`; generic files may come in any order (counted as a notice);
 * - bars reach the sink in file order; gaps are counted on the stored bars and never filled.
 */
export async function importCsv(
  source: Readable | string,
  options: ImportOptions,
  sink: BarSink,
): Promise<ImportReport> {
  const started = performance.now();
  const symbol = SymbolSchema.safeParse(options.symbol);
  if (!symbol.success)
    throw new ImportError('OPTIONS_INVALID', `symbol "${options.symbol}" ${symbol.error.issues[0]?.message}`);
  const tfParsed = TimeframeSchema.safeParse(options.timeframe);
  if (!tfParsed.success)
    throw new ImportError('OPTIONS_INVALID', `timeframe "${options.timeframe}": ${tfParsed.error.issues[0]?.message}`);
  if (options.format !== undefined && !IMPORT_FORMATS.includes(options.format)) {
    throw new ImportError('OPTIONS_INVALID', `format "${options.format}" is not one of ${IMPORT_FORMATS.join(', ')}`);
  }
  const timeframe = tfParsed.data;
  const tz = options.tz ?? 'UTC';
  let zone: ZoneClock;
  try {
    zone = createZoneClock(tz);
  } catch (e) {
    throw new ImportError('OPTIONS_INVALID', (e as Error).message);
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const maxLines = options.maxLinesPerReason ?? 20;
  const maxBodyRatio = options.maxBodyRatio ?? 2;
  const tfMs = TIMEFRAME_MS[timeframe];

  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  const totalBytes = typeof source === 'string' ? statSync(source).size : null;
  let bytesRead = 0;

  // Peek at the first lines to recognise the format and the delimiter, then replay them to the parser.
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const peeked: Buffer[] = [];
  let peekedBytes = 0;
  let exhausted = false;
  let decoder: ReturnType<typeof createDecoder>;
  let format: ImportFormat;
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
      if (countNewlines(peeked) >= 3) break;
    }
    const head = Buffer.concat(peeked)
      .toString('utf8', 0, Math.min(peekedBytes, PEEK_BYTES))
      .replace(/^\uFEFF/, '');
    const headLines = head.split(/\r\n|\n|\r/).filter((l) => l.trim().length > 0);
    const detected = detectFormat(headLines);
    const chosen = options.format ?? detected;
    if (chosen === null) {
      throw new ImportError(
        'FORMAT_UNKNOWN',
        `Cannot recognise the CSV format from its first line ${JSON.stringify((headLines[0] ?? '').slice(0, 120))}; pass a format (${IMPORT_FORMATS.join(', ')})`,
      );
    }
    format = chosen;
    const headerLine =
      format === 'cryptodatadownload' && /cryptodatadownload/i.test(headLines[0] ?? '') ? headLines[1] : headLines[0];
    decoder = createDecoder(format, timeframe, headerLine ?? '');
  } catch (e) {
    // The parser never took the stream over, so nothing else would close the file.
    input.destroy();
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
  const parser = parse({
    delimiter: decoder.delimiter,
    quote: decoder.quoted ? '"' : false,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    bom: true,
    info: decoder.quoted,
  });
  // pipeline forwards a source error to the parser, which makes the loop below throw it.
  pipeline(Readable.from(bytes(), { objectMode: false }), parser, () => {});

  const rejected = new LineCounter<RejectReason>(maxLines);
  const notices = new LineCounter<NoticeKind>(maxLines);
  const duplicates = new LineCounter<'dup'>(maxLines);
  const kinds = new Set<TimestampKind>();
  const seen = new Map<number, number>();
  let storedTs = new Float64Array(1 << 16);
  let stored = 0;
  let rowsRead = 0;
  let headerLines = 0;
  let blankLines = 0;
  let line = 0;
  let inHeader = true;
  let lastTs = decoder.order === 'descending' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let minTs = Number.POSITIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  let pending: OhlcvBar[] = [];

  const row: DecodedRow = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: null };
  const iso = createIsoFormatter();
  const ctx: DecodeContext = {
    notice: (kind, l) => notices.add(kind, l),
    sawTimestamp: (kind) => kinds.add(kind),
    wallToUtc(wallMs, l) {
      const r = zone.resolve(wallMs);
      if (r.kind === 'exact') return r.ms;
      if (r.kind === 'nonexistent') return Number.NaN;
      notices.add('ambiguous_local_time', l);
      // Of the two instants a repeated local time names, take the one that keeps the file's order.
      if (decoder.order === 'descending') return r.laterMs < lastTs ? r.laterMs : r.ms;
      return r.ms > lastTs || r.laterMs <= lastTs ? r.ms : r.laterMs;
    },
  };

  const progress = (): ImportProgress => ({
    rowsRead,
    stored,
    rejected: rejected.total,
    duplicates: duplicates.total,
    bytesRead,
    totalBytes,
  });

  // Records are read synchronously while the parser has them buffered; the loop awaits only when the parser is
  // empty or the sink takes a chunk, which is several times cheaper than one await per record (for await).
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
      if (decoder.quoted) {
        const withInfo = item as { record: string[]; info: { lines: number } };
        record = withInfo.record;
        line = withInfo.info.lines;
      } else {
        record = item as string[];
        line++;
      }
      if (record.length === 1 && (record[0] as string).trim().length === 0) {
        blankLines++;
        continue;
      }
      if (inHeader) {
        if (decoder.acceptHeader(record, line)) {
          headerLines++;
          continue;
        }
        inHeader = false;
      }
      rowsRead++;
      const reason = decoder.decode(record, line, row, ctx) ?? validate(row, tfMs, maxBodyRatio);
      if (reason !== null) {
        rejected.add(reason, line);
        continue;
      }
      const ts = row.ts;
      const fingerprint = fingerprintOf(row);
      // Keyed by bar number rather than ms: small integers hash several times faster in a Map than doubles.
      const slot = ts / tfMs;
      const earlier = seen.get(slot);
      if (earlier !== undefined) {
        if (earlier === fingerprint) duplicates.add('dup', line);
        else rejected.add('conflicting_duplicate', line);
        continue;
      }
      if (decoder.order === 'ascending' ? ts < lastTs : decoder.order === 'descending' ? ts > lastTs : false) {
        rejected.add('out_of_order', line);
        continue;
      }
      if (decoder.order === 'unordered' && ts < lastTs) notices.add('unordered', line);
      lastTs = ts;
      seen.set(slot, fingerprint);
      if (stored === storedTs.length) {
        const grown = new Float64Array(storedTs.length * 2);
        grown.set(storedTs);
        storedTs = grown;
      }
      storedTs[stored++] = ts;
      if (ts < minTs) minTs = ts;
      if (ts > maxTs) maxTs = ts;
      if (row.volume === 0) notices.add('zero_volume', line);
      pending.push({
        symbol: symbol.data,
        timeframe,
        bar_ts: iso(ts),
        open: row.open,
        high: row.high,
        low: row.low,
        close: row.close,
        volume: row.volume,
      });
      if (pending.length >= chunkSize) {
        const chunk = pending;
        pending = [];
        await sink(chunk);
        options.onProgress?.(progress());
      }
    }
    if (pending.length > 0) await sink(pending);
  } finally {
    parser.destroy();
  }
  options.onProgress?.(progress());

  const sorted = storedTs.subarray(0, stored).sort();
  const calendar = options.calendar ?? decoder.calendar;
  const warnings: string[] = [];
  if (format === 'histdata' && zone.isFixed) {
    warnings.push(
      `HistData files are New York local time with daylight saving; read as ${tz} they are off by 4-5 hours. Pass tz "America/New_York".`,
    );
  }
  if (!kinds.has('wall') && tz !== 'UTC' && stored > 0) {
    warnings.push(
      `tz "${tz}" was not used: every timestamp in the file is absolute (epoch or explicit offset) or a date.`,
    );
  }
  return {
    symbol: symbol.data,
    timeframe,
    format,
    formatDetected: options.format === undefined,
    clock: describeClock(kinds, tz, zone.isFixed),
    calendar,
    rowsRead,
    headerLines,
    blankLines,
    stored,
    duplicates: duplicates.byKey.dup ?? { count: 0, lines: [] },
    rejected: { count: rejected.total, byReason: rejected.byKey },
    notices: notices.byKey,
    order: decoder.order,
    gaps: findGaps(sorted, timeframe, { calendar, maxListed: options.maxGapsListed ?? 20 }),
    range: {
      first: stored > 0 ? new Date(minTs).toISOString() : null,
      last: stored > 0 ? new Date(maxTs).toISOString() : null,
    },
    warnings,
    durationMs: performance.now() - started,
  };
}

/** The checks of OhlcvBarSchema (kept in step by a test that parses every stored bar), plus a corrupt-print check. */
function validate(r: DecodedRow, tfMs: number, maxBodyRatio: number): RejectReason | null {
  const { open, high, low, close, volume } = r;
  if (
    !Number.isFinite(r.ts) ||
    !Number.isFinite(open) ||
    !Number.isFinite(high) ||
    !Number.isFinite(low) ||
    !Number.isFinite(close)
  ) {
    return 'unparseable';
  }
  if (volume !== null && Number.isNaN(volume)) return 'unparseable';
  if (r.ts % tfMs !== 0) return 'unaligned_timestamp';
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'non_positive_price';
  if (high < low) return 'high_below_low';
  if (open > high || open < low || close > high || close < low) return 'ohlc_inconsistent';
  if (volume !== null && volume < 0) return 'negative_volume';
  if ((open > close ? open / close : close / open) > maxBodyRatio) return 'suspect_price';
  return null;
}

// A 53-bit digest of the values, so the duplicate check holds 8 bytes per timestamp rather than the whole row.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
let hashA = 0;
let hashB = 0;
function mix(x: number): void {
  f64[0] = x;
  const lo = u32[0] as number;
  const hi = u32[1] as number;
  hashA = Math.imul(hashA ^ lo, 0x9e3779b1) ^ hi;
  hashA = Math.imul(hashA ^ (hashA >>> 15), 0x85ebca6b);
  hashB = Math.imul(hashB ^ hi, 0xc2b2ae35) ^ lo;
  hashB = Math.imul(hashB ^ (hashB >>> 13), 0x27d4eb2f);
}
function fingerprintOf(r: DecodedRow): number {
  hashA = 0x811c9dc5;
  hashB = 0x01000193;
  mix(r.open);
  mix(r.high);
  mix(r.low);
  mix(r.close);
  mix(r.volume ?? -1);
  return (hashA & 0x1fffff) * 4294967296 + (hashB >>> 0);
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

function describeClock(kinds: Set<TimestampKind>, tz: string, isFixed: boolean): string {
  const parts: string[] = [];
  const units = (['epoch_s', 'epoch_ms', 'epoch_us', 'epoch_ns'] as const).filter((k) => kinds.has(k));
  if (units.length > 0) {
    parts.push(`Unix epoch (${units.map((u) => u.slice(6)).join(' and ')}, unit told by magnitude; absolute, UTC)`);
  }
  if (kinds.has('offset')) parts.push('ISO timestamps with an explicit offset (absolute)');
  if (kinds.has('wall')) {
    parts.push(
      isFixed
        ? `local times read as ${tz} (fixed offset, no daylight saving)`
        : `local times read as ${tz} wall clock, daylight saving applied from the IANA time-zone database`,
    );
  }
  if (kinds.has('date_only')) parts.push('dates without a time: trading days, each labelled 00:00 UTC of its date');
  if (parts.length === 0) parts.push(`no timestamps read; local times would be read as ${tz}`);
  return `${parts.join('; ')}; stored as UTC`;
}
