// Historical bars from the CSV formats of ../shared/data, for training. Pure: text in, bars out; rows that cannot
// be bars are reported, not dropped silently.
import type { Bar } from '../types';

export const CSV_FORMATS = {
  /** kernc/backtesting.py: header `,Open,High,Low,Close,Volume`, first column `YYYY-MM-DD HH:MM:SS` in UTC. */
  backtestingpy: 'UTC',
  /** HistData ASCII M1: `YYYYMMDD HHMMSS;open;high;low;close;volume`, New York local time with daylight saving. */
  histdata: 'America/New_York (with DST)',
} as const;
export type CsvFormat = keyof typeof CSV_FORMATS;

export interface ParsedCsv {
  readonly format: CsvFormat;
  /** The clock the timestamps were read in, before conversion to UTC. */
  readonly clock: string;
  readonly bars: Bar[];
  readonly rejected: { line: number; reason: string }[];
}

export function detectCsvFormat(text: string): CsvFormat {
  const first = text.slice(0, text.indexOf('\n')).trim();
  if (/^,?open,high,low,close/i.test(first.replace(/^[^,]*,/, ','))) return 'backtestingpy';
  if (/^\d{8} \d{6};/.test(first)) return 'histdata';
  throw new Error(`Unrecognised CSV: first line "${first.slice(0, 60)}" is neither backtesting.py's nor HistData's`);
}

export function parseBarsCsv(text: string, format: CsvFormat = detectCsvFormat(text)): ParsedCsv {
  const lines = text.split(/\r?\n/);
  const bars: Bar[] = [];
  const rejected: { line: number; reason: string }[] = [];
  const start = format === 'backtestingpy' ? 1 : 0;
  for (let i = start; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const cells = line.split(format === 'histdata' ? ';' : ',');
    const ms =
      format === 'histdata' ? histdataMs(cells[0] ?? '') : Date.parse(`${(cells[0] ?? '').replace(' ', 'T')}Z`);
    const [open, high, low, close, volume] = cells.slice(1, 6).map(Number) as number[];
    const bar = { open, high, low, close, volume } as { [k: string]: number };
    const bad = ['open', 'high', 'low', 'close'].find((k) => !((bar[k] as number) > 0));
    if (!Number.isFinite(ms)) rejected.push({ line: i + 1, reason: `unreadable time "${cells[0]}"` });
    else if (bad) rejected.push({ line: i + 1, reason: `${bad} is not a positive number` });
    else if (
      (high as number) < Math.max(open as number, close as number) ||
      (low as number) > Math.min(open as number, close as number)
    ) {
      rejected.push({ line: i + 1, reason: 'high/low do not contain open and close' });
    } else {
      const previous = bars[bars.length - 1];
      const iso = new Date(ms).toISOString();
      if (previous && Date.parse(previous.bar_ts) >= ms) {
        rejected.push({ line: i + 1, reason: `out of order or repeated: ${iso} after ${previous.bar_ts}` });
        continue;
      }
      bars.push({
        bar_ts: iso,
        open: open as number,
        high: high as number,
        low: low as number,
        close: close as number,
        volume: Number.isFinite(volume) ? (volume as number) : null,
      });
    }
  }
  return { format, clock: CSV_FORMATS[format], bars, rejected };
}

const nyOffsetByDay = new Map<number, number>();
const nyFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** `YYYYMMDD HHMMSS` New York wall clock → epoch ms. FX is shut over the 02:00 Sunday DST switches, so the
 * day's offset at noon is the offset of every quote of that day. */
function histdataMs(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1).map(Number);
  const dayKey = year * 10_000 + month * 100 + day;
  let offsetMs = nyOffsetByDay.get(dayKey);
  if (offsetMs === undefined) {
    const noonUtc = Date.UTC(year, month - 1, day, 12);
    const wall: Record<string, number> = {};
    for (const part of nyFormat.formatToParts(new Date(noonUtc))) wall[part.type] = Number(part.value);
    offsetMs =
      noonUtc - Date.UTC(wall.year ?? 0, (wall.month ?? 1) - 1, wall.day ?? 1, wall.hour ?? 0, wall.minute ?? 0);
    nyOffsetByDay.set(dayKey, offsetMs);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) + offsetMs;
}

/** Aggregates bars into UTC buckets of `bucketMs` (OHLC of the bucket, volumes summed); empty buckets are absent. */
export function resample(bars: readonly Bar[], bucketMs: number): Bar[] {
  const out: Bar[] = [];
  let bucket = Number.NaN;
  let open = 0;
  let high = 0;
  let low = 0;
  let close = 0;
  let volume: number | null = null;
  const flush = () => {
    if (!Number.isNaN(bucket)) out.push({ bar_ts: new Date(bucket).toISOString(), open, high, low, close, volume });
  };
  for (const bar of bars) {
    const ms = Math.floor(Date.parse(bar.bar_ts) / bucketMs) * bucketMs;
    if (ms !== bucket) {
      flush();
      bucket = ms;
      ({ open, high, low, close, volume } = bar);
    } else {
      high = Math.max(high, bar.high);
      low = Math.min(low, bar.low);
      close = bar.close;
      volume = volume === null || bar.volume === null ? null : volume + bar.volume;
    }
  }
  flush();
  return out;
}
