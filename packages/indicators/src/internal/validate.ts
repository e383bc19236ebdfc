// Argument checks shared by every indicator. Errors name the function and the parameter so a caller can fix the
// call without reading this package's source.

/** Returns `values` itself when it already is a Float64Array, else a Float64Array copy. Every hot loop in this
 * package then sees one element kind, which keeps V8's code for it monomorphic (a loop that sees both `number[]`
 * and `Float64Array` runs markedly slower); the copy costs one pass and only number[] callers pay it.
 *
 * The copy checks each element: a plain conversion would turn `null` into 0 and `"1.1"` into 1.1 (a JavaScript
 * caller reading JSON can hand over either), silently computing on a price that was never given. A NaN element
 * is a number and is kept (each function documents what it does with one). */
export function toFloat64(fn: string, name: string, values: ArrayLike<number>): Float64Array {
  if (values instanceof Float64Array) return values;
  if (values === null || typeof values !== 'object' || typeof (values as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a Float64Array or an array of numbers`);
  }
  // Other typed arrays hold numbers by construction.
  if (ArrayBuffer.isView(values)) return Float64Array.from(values);
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      throw new TypeError(`${fn}: ${name}[${i}] must be a number (got ${v === null ? 'null' : typeof v})`);
    }
    out[i] = v;
  }
  return out;
}

/** A window or smoothing length: an integer >= 1. */
export function assertPeriod(fn: string, name: string, period: number): void {
  if (!Number.isInteger(period) || period < 1) {
    throw new RangeError(`${fn}: ${name} must be an integer >= 1 (got ${String(period)})`);
  }
}

/** A finite multiplier >= 0 (Bollinger's band width in standard deviations). */
export function assertNonNegative(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${fn}: ${name} must be a finite number >= 0 (got ${String(value)})`);
  }
}

export function assertSameLength(fn: string, series: Readonly<Record<string, ArrayLike<number>>>): number {
  const entries = Object.entries(series);
  const n = entries[0]?.[1].length ?? 0;
  if (entries.some(([, s]) => s.length !== n)) {
    const lengths = entries.map(([k, s]) => `${k} ${s.length}`).join(', ');
    throw new RangeError(`${fn}: ${entries.map(([k]) => k).join(', ')} must have the same length (got ${lengths})`);
  }
  return n;
}

export function assertReplaceable(cls: string, count: number): void {
  if (count === 0) throw new Error(`${cls}.replace(): there is no bar to replace yet; call update() first`);
}
