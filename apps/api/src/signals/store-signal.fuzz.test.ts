// Property: whatever malformed payload arrives at /api/signals/store, the answer is a 400 that names fields, never a
// 500, and nothing is stored. The contract itself is the oracle for "malformed".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignalPayload } from '@neuronetiq/contracts';
import fc from 'fast-check';
import { describeEachBackend, signal } from '../test-helpers';

const base = signal({ owner: 'fuzz-owner' }) as Record<string, unknown>;
const fields = Object.keys(base);

// A valid payload with some fields replaced by arbitrary JSON values, some removed, and maybe unknown keys added.
const mutated = fc
  .record({
    replace: fc.dictionary(fc.constantFrom(...fields), fc.jsonValue(), { maxKeys: 4 }),
    remove: fc.subarray(fields, { maxLength: 3 }),
    extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 2 }),
  })
  .map(({ replace, remove, extra }) => {
    const p: Record<string, unknown> = { ...base, ...replace };
    for (const k of remove) delete p[k];
    return { ...extra, ...p };
  });
const payloads = fc.oneof(
  { weight: 6, arbitrary: mutated },
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => ({ raw: `{"owner": ${s}` })) },
);

describeEachBackend('malformed payloads at /api/signals/store (fast-check)', (ctx) => {
  test('2,000 malformed payloads: only 400s with details, never a 5xx, never a row', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(payloads, async (payload) => {
        const isRaw =
          typeof payload === 'object' && payload !== null && 'raw' in payload && Object.keys(payload).length === 1;
        fc.pre(isRaw || !SignalPayload.safeParse(payload).success);
        checked += 1;
        const res = await ctx().asService({
          method: 'POST',
          url: '/api/signals/store',
          headers: { 'content-type': 'application/json' },
          payload: isRaw ? (payload as { raw: string }).raw : JSON.stringify(payload),
        });
        assert.equal(res.statusCode, 400, `payload ${JSON.stringify(payload)} → ${res.statusCode} ${res.body}`);
        const body = res.json();
        assert.equal(body.error, 'VALIDATION_ERROR');
        assert.ok(Array.isArray(body.details) && body.details.length > 0, `no details for ${JSON.stringify(payload)}`);
        for (const d of body.details) assert.equal(typeof d.path, 'string');
      }),
      { numRuns: 2000, seed: 20261125 },
    );
    assert.ok(checked >= 1500, `only ${checked} payloads were malformed`);
    const [row] = await ctx().database.db.query<{ n: number }>('SELECT count(*) AS n FROM ml.signals_latest');
    assert.equal(row?.n, 0);
  });
});
