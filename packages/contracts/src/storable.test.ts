import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findUnstorable, jsonTextMayBeUnstorable } from './storable';

// Strings rich in what PostgreSQL refuses: NUL, lone and paired surrogates, and the characters JSON escapes.
const nasty = fc.string({
  unit: fc.constantFrom('\u0000', '\ud800', '\udc00', '\ud83d\ude00', '\\', '"', 'a', 'é', '\n'),
});
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(nasty, fc.string({ unit: 'binary' }), fc.double(), fc.boolean(), fc.constant(null)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nasty, fc.string()), tie('v'), { maxKeys: 4 }),
  ),
})).v;

test('a JSON text that may hold no unstorable text parses to a value findUnstorable finds nothing in', () => {
  fc.assert(
    fc.property(value, (v) => {
      const text = JSON.stringify(v);
      if (!jsonTextMayBeUnstorable(text)) assert.deepEqual(findUnstorable(JSON.parse(text)), []);
    }),
    { numRuns: 3000, seed: 5 },
  );
});

test('escapes of NUL and of surrogates mark a JSON text, other escapes do not', () => {
  assert.equal(jsonTextMayBeUnstorable('{"a":"x\\u0000"}'), true);
  assert.equal(jsonTextMayBeUnstorable('{"a":"\\uD800"}'), true);
  assert.equal(jsonTextMayBeUnstorable('{"a":"\\udfff"}'), true);
  assert.equal(jsonTextMayBeUnstorable('{"\\u0000":1}'), true);
  assert.equal(jsonTextMayBeUnstorable('{"a":"\\u00e9 \\" \\\\ \\n","b":[1,{"c":null}]}'), false);
});
