// A decoder for the one JSON shape that is big: predict bodies of up to 500,000 bars. It reads the raw bytes
// straight into Float64Array columns, so it builds no string, no object per bar and no garbage for the collector;
// JSON.parse plus the object-walking check costs about three times as much on 50 MB.
//
// It is the fastest of three paths and the narrowest: it knows a strict subset of JSON (ASCII strings without
// escapes, each key at most once, the keys of the contracts only) and the canonical bar shape that fast-series.ts
// accepts, and applies the same checks. On anything else it answers `undefined` and the caller falls back to
// JSON.parse and the schema path, which decides and words every error. decode-series.test.ts checks, on thousands
// of generated and corrupted bodies, that whatever it accepts JSON.parse + zod accepts with the same columns.
import {
  TIMEFRAME_MS,
  type Timeframe,
  WORKER_BATCH_SERIES_MAX,
  WORKER_MODELS_MAX,
  WORKER_SERIES_BARS_MAX,
} from '@neuronetiq/contracts';
import type { ParsedSeries } from './fast-series';

/** Thrown inside the decoder to abandon the fast path; never escapes `decodeSeriesJson`. */
const BAIL = new Error('not on the fast path');

const SYMBOL = /^[A-Z0-9._-]{1,32}$/;
const SLUG = /^[a-z0-9_-]{1,64}$/;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// The keys of each object, found by their first byte (which differs within each object), so a key's id is
// that byte.
const keyTable = (...names: string[]) => {
  const table: (Uint8Array | undefined)[] = new Array(128).fill(undefined);
  for (const name of names) table[name.charCodeAt(0)] = Uint8Array.from(name, (c) => c.charCodeAt(0));
  return table;
};
const BAR_KEYS = keyTable('bar_ts', 'open', 'high', 'low', 'close', 'volume');
const SERIES_KEYS = keyTable('symbol', 'timeframe', 'bars', 'models');
const TOP_KEYS = keyTable('series');
const K_BAR_TS = 0x62; // b
const K_OPEN = 0x6f; // o
const K_HIGH = 0x68; // h
const K_LOW = 0x6c; // l
const K_CLOSE = 0x63; // c
const K_SYMBOL = 0x73; // s
const K_TIMEFRAME = 0x74; // t
const K_MODELS = 0x6d; // m
// Bits of the "seen" masks, so that a repeated key is noticed.
const BAR_BIT = new Uint8Array(128);
for (const [id, bit] of [
  [0x62, 1],
  [0x6f, 2],
  [0x68, 4],
  [0x6c, 8],
  [0x63, 16],
  [0x76, 32],
] as const)
  BAR_BIT[id] = bit;
const SERIES_BIT = new Uint8Array(128);
for (const [id, bit] of [
  [0x73, 1],
  [0x74, 2],
  [0x62, 4],
  [0x6d, 8],
] as const)
  SERIES_BIT[id] = bit;

function digitAt(b: Uint8Array, i: number): number {
  const v = (b[i] as number) - 0x30;
  if (v >= 0 && v <= 9) return v;
  throw BAIL;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): Date.UTC without its cost. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Growable columns for one series. */
class ColumnBuilder {
  length = 0;
  barTsMs = new Float64Array(512);
  open = new Float64Array(512);
  high = new Float64Array(512);
  low = new Float64Array(512);
  close = new Float64Array(512);
  volume = new Float64Array(512);

  grow(): void {
    const size = this.barTsMs.length * 2;
    const g = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.barTsMs = g(this.barTsMs);
    this.open = g(this.open);
    this.high = g(this.high);
    this.low = g(this.low);
    this.close = g(this.close);
    this.volume = g(this.volume);
  }

  build(): ParsedSeries['columns'] {
    const n = this.length;
    return {
      barTsMs: this.barTsMs.slice(0, n),
      open: this.open.slice(0, n),
      high: this.high.slice(0, n),
      low: this.low.slice(0, n),
      close: this.close.slice(0, n),
      volume: this.volume.slice(0, n),
    };
  }
}

class Decoder {
  p = 0;
  bars = 0;
  constructor(
    readonly b: Uint8Array,
    readonly maxBars: number,
  ) {}

  ws(): void {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.p = p;
  }

  expect(c: number): void {
    this.ws();
    if (this.b[this.p] !== c) throw BAIL;
    this.p++;
  }

  /** After a member or element: true on ',', false on the closing byte, BAIL otherwise. */
  next(close: number): boolean {
    this.ws();
    const c = this.b[this.p];
    this.p++;
    if (c === 0x2c) return true;
    if (c === close) return false;
    throw BAIL;
  }

  /** Opens `{` or `[`; false (and consumed) when it is empty. */
  open(openByte: number, closeByte: number): boolean {
    this.expect(openByte);
    this.ws();
    if (this.b[this.p] === closeByte) {
      this.p++;
      return false;
    }
    return true;
  }

  /** A quoted ASCII string without escapes; returns [start, end) of its content. */
  stringSpan(): number {
    this.expect(0x22);
    const b = this.b;
    const start = this.p;
    let p = start;
    for (;;) {
      const c = b[p] as number | undefined;
      if (c === undefined || c === 0x5c || c < 0x20 || c >= 0x80) throw BAIL;
      if (c === 0x22) break;
      p++;
    }
    this.p = p + 1;
    return start;
  }

  string(): string {
    const start = this.stringSpan();
    return String.fromCharCode.apply(null, this.b.subarray(start, this.p - 1) as unknown as number[]);
  }

  key(keys: readonly (Uint8Array | undefined)[]): number {
    const start = this.stringSpan();
    const len = this.p - 1 - start;
    const b = this.b;
    // Keys are told apart by their first byte, then compared in full: one table lookup per key, no loop over keys.
    const first = b[start] as number;
    const name = keys[first];
    if (name === undefined || name.length !== len) throw BAIL;
    for (let i = 1; i < len; i++) if (b[start + i] !== name[i]) throw BAIL;
    this.expect(0x3a);
    return first;
  }

  /** A JSON number, correctly rounded like JSON.parse. */
  number(): number {
    this.ws();
    const b = this.b;
    const start = this.p;
    let p = start;
    const negative = b[p] === 0x2d;
    if (negative) p++;
    let mantissa = 0;
    let significant = 0;
    let fraction = 0;
    let c = b[p] as number;
    if (c === 0x30) {
      p++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        significant++;
        c = b[++p] as number;
      }
    } else {
      throw BAIL;
    }
    c = b[p] as number;
    if (c === 0x2e) {
      c = b[++p] as number;
      if (!(c >= 0x30 && c <= 0x39)) throw BAIL;
      while (c >= 0x30 && c <= 0x39) {
        if (significant > 0 || c !== 0x30) significant++;
        mantissa = mantissa * 10 + (c - 0x30);
        fraction++;
        c = b[++p] as number;
      }
    }
    let exponent = 0;
    if (c === 0x65 || c === 0x45) {
      c = b[++p] as number;
      let expNegative = false;
      if (c === 0x2b || c === 0x2d) {
        expNegative = c === 0x2d;
        c = b[++p] as number;
      }
      if (!(c >= 0x30 && c <= 0x39)) throw BAIL;
      while (c >= 0x30 && c <= 0x39) {
        exponent = exponent * 10 + (c - 0x30);
        if (exponent > 400) throw BAIL;
        c = b[++p] as number;
      }
      if (expNegative) exponent = -exponent;
    }
    this.p = p;
    const e10 = exponent - fraction;
    let value: number;
    // Clinger's fast path: an exact mantissa (< 2^53) and an exact power of ten make one correctly rounded
    // IEEE operation. Anything longer goes through the engine's own conversion.
    if (significant <= 15 && e10 >= -22 && e10 <= 22) {
      value = e10 < 0 ? mantissa / (POW10[-e10] as number) : mantissa * (POW10[e10] as number);
      if (negative) value = -value;
    } else {
      value = Number(String.fromCharCode.apply(null, b.subarray(start, p) as unknown as number[]));
    }
    return value;
  }

  /** `null` → NaN (consumed); any other byte → the number. */
  numberOrNull(): number {
    this.ws();
    const b = this.b;
    const p = this.p;
    if (b[p] === 0x6e) {
      if (b[p + 1] !== 0x75 || b[p + 2] !== 0x6c || b[p + 3] !== 0x6c) throw BAIL;
      this.p = p + 4;
      return Number.NaN;
    }
    return this.number();
  }

  /** The canonical timestamp forms of fast-series.ts, read from the bytes; BAIL on any other. */
  timestamp(): number {
    const start = this.stringSpan();
    const b = this.b;
    const len = this.p - 1 - start;
    if (len !== 20 && len !== 24) throw BAIL;
    if (
      b[start + 4] !== 0x2d ||
      b[start + 7] !== 0x2d ||
      b[start + 10] !== 0x54 ||
      b[start + 13] !== 0x3a ||
      b[start + 16] !== 0x3a ||
      b[start + len - 1] !== 0x5a
    ) {
      throw BAIL;
    }
    const year =
      digitAt(b, start + 0) * 1000 + digitAt(b, start + 1) * 100 + digitAt(b, start + 2) * 10 + digitAt(b, start + 3);
    const month = digitAt(b, start + 5) * 10 + digitAt(b, start + 6);
    const day = digitAt(b, start + 8) * 10 + digitAt(b, start + 9);
    const hour = digitAt(b, start + 11) * 10 + digitAt(b, start + 12);
    const minute = digitAt(b, start + 14) * 10 + digitAt(b, start + 15);
    const second = digitAt(b, start + 17) * 10 + digitAt(b, start + 18);
    let millis = 0;
    if (len === 24) {
      if (b[start + 19] !== 0x2e) throw BAIL;
      millis = digitAt(b, start + 20) * 100 + digitAt(b, start + 21) * 10 + digitAt(b, start + 22);
    }
    if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw BAIL;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) throw BAIL;
    return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
  }

  bar(out: ColumnBuilder): void {
    if (!this.open(0x7b, 0x7d)) throw BAIL;
    let seen = 0;
    let ts = Number.NaN;
    let o = Number.NaN;
    let h = Number.NaN;
    let l = Number.NaN;
    let c = Number.NaN;
    let v = Number.NaN;
    do {
      const id = this.key(BAR_KEYS);
      const bit = BAR_BIT[id] as number;
      if (seen & bit) throw BAIL;
      seen |= bit;
      if (id === K_BAR_TS) ts = this.timestamp();
      else if (id === K_OPEN) o = this.number();
      else if (id === K_HIGH) h = this.number();
      else if (id === K_LOW) l = this.number();
      else if (id === K_CLOSE) c = this.number();
      else v = this.numberOrNull();
    } while (this.next(0x7d));
    if ((seen | 32) !== 63) throw BAIL; // all but volume are required
    if (!(o > 0 && c > 0 && l > 0 && h < Number.POSITIVE_INFINITY)) throw BAIL;
    if (h < Math.max(o, c) || l > Math.min(o, c)) throw BAIL;
    if (v < 0 || v === Number.POSITIVE_INFINITY) throw BAIL;
    if (out.length === out.barTsMs.length) out.grow();
    const i = out.length++;
    out.barTsMs[i] = ts;
    out.open[i] = o;
    out.high[i] = h;
    out.low[i] = l;
    out.close[i] = c;
    out.volume[i] = v;
  }

  series(): ParsedSeries {
    if (!this.open(0x7b, 0x7d)) throw BAIL;
    let seen = 0;
    let symbol = '';
    let timeframe = '';
    let models: string[] | undefined;
    let columns: ParsedSeries['columns'] | undefined;
    do {
      const id = this.key(SERIES_KEYS);
      const bit = SERIES_BIT[id] as number;
      if (seen & bit) throw BAIL;
      seen |= bit;
      if (id === K_SYMBOL) symbol = this.string();
      else if (id === K_TIMEFRAME) timeframe = this.string();
      else if (id === K_MODELS) {
        models = [];
        if (!this.open(0x5b, 0x5d)) throw BAIL;
        do models.push(this.string());
        while (this.next(0x5d));
      } else {
        const builder = new ColumnBuilder();
        if (!this.open(0x5b, 0x5d)) throw BAIL;
        do this.bar(builder);
        while (this.next(0x5d));
        this.bars += builder.length;
        if (builder.length > WORKER_SERIES_BARS_MAX || this.bars > this.maxBars) throw BAIL;
        columns = builder.build();
      }
    } while (this.next(0x7d));
    if (!columns || !SYMBOL.test(symbol) || !Object.hasOwn(TIMEFRAME_MS, timeframe)) throw BAIL;
    if (models && (models.length > WORKER_MODELS_MAX || !models.every((m) => SLUG.test(m)))) throw BAIL;
    const intervalMs = TIMEFRAME_MS[timeframe as Timeframe];
    const ts = columns.barTsMs;
    let previous = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ts.length; i++) {
      const ms = ts[i] as number;
      if (!(ms > previous) || ms % intervalMs !== 0) throw BAIL;
      previous = ms;
    }
    return { symbol, timeframe: timeframe as Timeframe, models, columns };
  }

  end(): void {
    this.ws();
    if (this.p !== this.b.length) throw BAIL;
  }
}

/**
 * Decodes a `POST /v1/predict/batch` body (`kind: 'batch'`) or a `POST /v1/predict` body (`'series'`) from its
 * bytes, or answers undefined when it is not certainly valid, or holds more than `maxBars` bars.
 */
export function decodeSeriesJson(
  bytes: Uint8Array,
  kind: 'batch' | 'series',
  maxBars: number,
): ParsedSeries[] | undefined {
  const decoder = new Decoder(bytes, maxBars);
  try {
    let out: ParsedSeries[];
    if (kind === 'series') {
      out = [decoder.series()];
    } else {
      if (!decoder.open(0x7b, 0x7d)) return undefined;
      decoder.key(TOP_KEYS);
      out = [];
      if (!decoder.open(0x5b, 0x5d)) return undefined;
      do {
        out.push(decoder.series());
        if (out.length > WORKER_BATCH_SERIES_MAX) return undefined;
      } while (decoder.next(0x5d));
      if (decoder.next(0x7d)) return undefined; // a second top-level key: let the schema name it
    }
    decoder.end();
    return out;
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}
