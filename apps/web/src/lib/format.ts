// Formatting shared by server and client components: numbers per the viewer's locale, never hand-built strings.

/** The first well-formed tag of an Accept-Language header, else en-US. */
export function localeFrom(acceptLanguage: string | null | undefined): string {
  const first = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  if (!first || first === '*') return 'en-US';
  try {
    return Intl.getCanonicalLocales(first)[0] ?? 'en-US';
  } catch {
    return 'en-US';
  }
}

export function formatInt(locale: string, n: number): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** 0.5312 → "53.1%". */
export function formatPercent(locale: string, fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(fraction);
}

/** A signed return in percent with an explicit sign: 0.00123 → "+0.123%". */
export function formatReturn(locale: string, fraction: number | null | undefined, digits = 3): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(fraction);
}

/**
 * A return below one basis point (0.01%), which `formatReturn` shows as 0.000% or 0.001% at best (1m calls' mean
 * returns are), in basis points with two significant digits: -0.0000055 → "-0.055 bp"; undefined from 1 bp up and
 * for zero.
 */
export function formatSmallReturnBp(locale: string, fraction: number | null | undefined): string | undefined {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction) || fraction === 0) return undefined;
  if (Math.abs(fraction) >= 0.0001) return undefined;
  const bp = new Intl.NumberFormat(locale, { maximumSignificantDigits: 2, signDisplay: 'exceptZero' }).format(
    fraction * 10_000,
  );
  return `${bp} bp`;
}

/**
 * The colour a return is shown in, decided on the figure as `formatReturn` prints it: a return that rounds to 0.000%
 * is neutral, not red or green.
 */
export function returnTone(fraction: number | null | undefined, digits = 3): 'buy' | 'sell' | undefined {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return undefined;
  // The sign Intl prints (same rounding as formatReturn), read in a locale whose signs are plain + and -.
  const shown = formatReturn('en-US', fraction, digits);
  return shown.startsWith('+') ? 'buy' : shown.startsWith('-') ? 'sell' : undefined;
}

/** Decimals a price is quoted with: 5 below 10 (EURUSD 1.08324), 3 below 1000, else 2 (BTCUSDT 42572.47). */
export function pricePrecision(price: number): number {
  const abs = Math.abs(price);
  return abs >= 1000 ? 2 : abs >= 10 ? 3 : 5;
}

export function formatPrice(locale: string, price: number): string {
  const digits = pricePrecision(price);
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(price);
}

/** "2026-12-05 21:03 UTC": the exact instant, for tooltips. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** In the given zone (the viewer's, once known in the browser). */
export function formatDateTime(locale: string, iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}

/**
 * A chart's time-axis label for `seconds` (a UTC timestamp) in the viewer's zone, by lightweight-charts' TickMarkType:
 * 0 year, 1 month, 2 day of the month, 3 time, 4 time with seconds. Hours without a leading zero where the locale
 * allows it ("7:45 AM"): the shorter a label, the less of it a chart's edge cuts.
 */
export function formatTickMark(locale: string, seconds: number, type: number, timeZone?: string): string {
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  const hour = cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric';
  const options: Intl.DateTimeFormatOptions =
    type === 0
      ? { year: 'numeric' }
      : type === 1
        ? { month: 'short', year: 'numeric' }
        : type === 2
          ? { month: 'short', day: 'numeric' }
          : type === 3
            ? { hour, minute: '2-digit' }
            : { hour, minute: '2-digit', second: '2-digit' };
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(seconds * 1000));
}

/** A chart crosshair's time: the viewer's date and time, then the exact UTC time ("Dec 6, 2026, 7:20 AM · 06:20 UTC"). */
export function formatChartTime(locale: string, seconds: number, timeZone?: string): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${formatDateTime(locale, iso, timeZone)} · ${iso.slice(11, 16)} UTC`;
}

/** "3 min ago" style, relative to `nowMs`. */
export function formatRelative(locale: string, iso: string, nowMs: number): string {
  const diffS = Math.round((new Date(iso).getTime() - nowMs) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(diffS);
  if (abs < 60) return rtf.format(diffS, 'second');
  if (abs < 3600) return rtf.format(Math.round(diffS / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diffS / 3600), 'hour');
  return rtf.format(Math.round(diffS / 86_400), 'day');
}

/**
 * A duration in the largest whole unit that fits exactly, per locale ("24 hours", "90 minutes", "2 days"); a duration
 * with seconds left over is given in seconds.
 */
export function formatDuration(locale: string, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (value: number, u: 'day' | 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'long' }).format(value);
  if (s > 0 && s % 86_400 === 0 && s / 86_400 !== 1) return unit(s / 86_400, 'day');
  if (s > 0 && s % 3600 === 0) return unit(s / 3600, 'hour');
  if (s > 0 && s % 60 === 0) return unit(s / 60, 'minute');
  return unit(s, 'second');
}
