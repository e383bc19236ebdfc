// What a hostile client sends, for the property tests (hostile-input.fuzz.test.ts, stream-hostile.fuzz.test.ts):
// arbitrary Unicode with NUL and lone surrogates, deep nesting, extreme numbers and dates, broken JSON texts.
import fc from 'fast-check';

const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDBFF',
  '\uDC00y',
  '\uDFFF\uD800',
  '',
  ' ',
  '\u202E\u0301',
  '💩',
  'x'.repeat(5000),
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '-1e309',
  '9007199254740993',
  '0x10',
  "'; DROP TABLE ml.signals; --",
  '../../etc/passwd',
  '%00',
  '{}',
  '[]',
  'null',
  '00000000-0000-0000-0000-000000000000',
];
export const NASTY_DATES = [
  '0000-01-01T00:00:00Z',
  '9999-12-31T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '1899-12-31T23:00:00Z',
  '2101-01-01T00:00:00Z',
  '2026-02-30T00:00:00.000Z',
  '2026-01-05T12:00:00',
  '2026-01-05T24:00:00Z',
  '2030-01-01T00:00:00Z',
];
const NASTY_NUMBERS = [1e308, -1e308, -0, 5e-324, 2 ** 53 + 2, -(2 ** 63), 1e21, -1, 0, 1.5, 7];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS, ...NASTY_DATES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms).toISOString()),
  },
);
const hostileNumber = fc.oneof(
  fc.constantFrom(...NASTY_NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const hostileLeaf = fc.oneof(hostileString, hostileNumber, fc.constantFrom(null, true, false));

/** `{ k: { k: … } }` or `[[…]]`, `levels` deep, built without recursion. */
function nestedValue(levels: number, kind: 'object' | 'array'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = kind === 'object' ? { k: v } : [v];
  return v;
}
const deepValue = fc
  .tuple(fc.constantFrom(17, 20, 65, 200), fc.constantFrom('object' as const, 'array' as const))
  .map(([levels, kind]) => nestedValue(levels, kind));
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileLeaf },
  { weight: 2, arbitrary: fc.dictionary(hostileString, hostileLeaf, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileLeaf, { maxLength: 3 }) },
  { weight: 1, arbitrary: deepValue },
);

/** JSON texts JSON.stringify cannot make: escapes of NUL and lone surrogates, numbers past float64, deep nesting. */
export const rawJsonText = (base: unknown) =>
  fc.oneof(
    fc.constantFrom(
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `${'{"a":'.repeat(70)}1${'}'.repeat(70)}`,
      '{"a":',
      '',
      'null',
      '"\\u0000"',
      '[1e400]',
    ),
    fc
      .constantFrom('"\\u0000"', '"\\ud800"', '"a\\udfffb"', '1e400', '-1e400', '123456789012345678901234567890', '-0')
      .map((token) => {
        const text = JSON.stringify(base ?? {});
        // Into the first value position there is, or as a new field.
        const at = text.indexOf(':');
        return at > 0 ? `${text.slice(0, at + 1)}${token},${text.slice(at + 1)}` : `{"x":${token}}`;
      }),
  );

/** Percent-encodes anything, lone surrogates included (as the 3-byte sequences a broken client would send). */
export function encodeAny(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    } else out += encodeURIComponent(ch);
  }
  return out;
}
/** What an HTTP header can carry at all (Node refuses the rest before sending): latin1 without controls. */
export const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
