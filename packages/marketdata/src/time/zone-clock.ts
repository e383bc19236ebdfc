import { Info, type Zone } from 'luxon';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * How a wall-clock reading maps to UTC in a zone. `ambiguous` happens once a year when clocks fall back (the
 * local hour occurs twice: `ms` is the earlier instant, `laterMs` the second one); `nonexistent` when clocks
 * spring forward (the local hour is skipped, so no instant has that reading).
 */
export type WallTimeResolution =
  | { kind: 'exact'; ms: number }
  | { kind: 'ambiguous'; ms: number; laterMs: number }
  | { kind: 'nonexistent' };

export interface ZoneClock {
  /** The IANA name as given (e.g. `America/New_York`, `UTC`). */
  readonly zone: string;
  /** True when the zone never changes its offset (UTC, fixed offsets): readings are never ambiguous. */
  readonly isFixed: boolean;
  /**
   * Resolves a wall-clock reading, given as milliseconds of the same fields read as if they were UTC
   * (`Date.UTC(y, m - 1, d, h, mi, s)`), to the instant(s) it names in this zone.
   */
  resolve(wallMs: number): WallTimeResolution;
}

/** The spellings `--tz` accepts, for messages that refuse another one. */
export const ZONE_FORMS =
  'an IANA name (America/New_York, Europe/London, UTC) or a fixed offset (+05:00, -03:30, +5, UTC+5, GMT-3:30, UTC-0330)';

const FIXED = /^(?:UTC|GMT|Z)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/**
 * The zone a `--tz` spelling names, as luxon spells it (`America/New_York`, `UTC`, `UTC+5:30`), or null when it is
 * none of ZONE_FORMS. `GMT-3:30` means three and a half hours behind UTC, as people write it; the IANA names
 * `Etc/GMT+3` (POSIX: three hours *behind*) keep their database meaning.
 */
export function normalizeZone(text: string): string | null {
  const t = text.trim();
  if (t.length === 0) return null;
  if (/^(UTC|GMT|Z)$/i.test(t)) return 'UTC';
  const f = FIXED.exec(t);
  if (f !== null) {
    const h = Number(f[2]);
    const m = Number(f[3] ?? 0);
    if (h > 14 || m > 59 || (h === 14 && m > 0)) return null;
    if (h === 0 && m === 0) return 'UTC';
    return `UTC${f[1]}${h}${m > 0 ? `:${String(m).padStart(2, '0')}` : ''}`;
  }
  // Only names with a slash (or UTC variants handled above): luxon would also take "local" and "system", which name
  // this machine's zone, not the file's.
  if (!t.includes('/')) return null;
  const z = Info.normalizeZone(t);
  return z.isValid ? t : null;
}

/** Throws a RangeError naming the zone and the accepted forms when it is none of them. */
export function createZoneClock(zone: string): ZoneClock {
  const spec = normalizeZone(zone);
  const z = Info.normalizeZone(spec ?? 'Invalid/Zone');
  if (spec === null || !z.isValid) throw new RangeError(`Unknown time zone "${zone}": use ${ZONE_FORMS}`);
  if (z.isUniversal) {
    const offsetMs = z.offset(0) * MINUTE_MS;
    return { zone, isFixed: true, resolve: (wallMs) => ({ kind: 'exact', ms: wallMs - offsetMs }) };
  }
  // Offsets come from the zone database through luxon. What is cached is its answer for a whole local day (or,
  // on the day of a change, a local hour), and only when the span's first and last millisecond agree.
  const dayOffsetMs = new Map<number, number | null>();
  const hourOffsetMs = new Map<number, number | null>();
  let lastKey = Number.NaN;
  let lastOffsetMs = 0;

  const uniformOffset = (fromWall: number, toWall: number): number | null => {
    const a = resolveUncached(z, fromWall);
    const b = resolveUncached(z, toWall);
    if (a.kind !== 'exact' || b.kind !== 'exact') return null;
    const offset = fromWall - a.ms;
    return toWall - b.ms === offset ? offset : null;
  };

  const resolve = (wallMs: number): WallTimeResolution => {
    const day = Math.floor(wallMs / DAY_MS);
    if (day === lastKey) return { kind: 'exact', ms: wallMs - lastOffsetMs };
    let dayOffset = dayOffsetMs.get(day);
    if (dayOffset === undefined) {
      dayOffset = uniformOffset(day * DAY_MS, day * DAY_MS + DAY_MS - 1);
      dayOffsetMs.set(day, dayOffset);
    }
    if (dayOffset !== null) {
      lastKey = day;
      lastOffsetMs = dayOffset;
      return { kind: 'exact', ms: wallMs - dayOffset };
    }
    const hour = Math.floor(wallMs / HOUR_MS);
    let hourOffset = hourOffsetMs.get(hour);
    if (hourOffset === undefined) {
      hourOffset = uniformOffset(hour * HOUR_MS, hour * HOUR_MS + HOUR_MS - 1);
      hourOffsetMs.set(hour, hourOffset);
    }
    if (hourOffset !== null) return { kind: 'exact', ms: wallMs - hourOffset };
    return resolveUncached(z, wallMs);
  };
  return { zone, isFixed: false, resolve };
}

// The candidate offsets are the zone's offsets a day before and a day after; a reading is valid under an
// offset when the instant it gives really has that offset. Zero valid offsets: a skipped hour; two: a repeated one.
function resolveUncached(z: Zone, wallMs: number): WallTimeResolution {
  const candidates = new Set([z.offset(wallMs - DAY_MS), z.offset(wallMs + DAY_MS)]);
  const valid: number[] = [];
  for (const offsetMin of candidates) {
    const ms = wallMs - offsetMin * MINUTE_MS;
    if (z.offset(ms) === offsetMin) valid.push(ms);
  }
  valid.sort((a, b) => a - b);
  const [a, b] = valid;
  if (a === undefined) return { kind: 'nonexistent' };
  if (b === undefined || b === a) return { kind: 'exact', ms: a };
  return { kind: 'ambiguous', ms: a, laterMs: b };
}

/** True when `zone` is one of ZONE_FORMS. */
export function isValidZone(zone: string): boolean {
  return normalizeZone(zone) !== null;
}
