// Revenue statement scenarios, one named fixture each, with the clock pinned by the fixtures' own timestamps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { revenueStatementCsv } from '@neuronetiq/contracts';
import { computeStatement, type Statement, type StatementPrice, type StatementSubscription } from './compute-statement';

const at = (iso: string) => Date.parse(iso);
const sub = (id: string, started: string, ended: string | null = null, modelId = 'm1'): StatementSubscription => ({
  id,
  subscriber: `user-${id}`,
  modelId,
  startedAtMs: at(started),
  endedAtMs: ended === null ? null : at(ended),
});
const price = (pricePence: number, from = '2025-01-01T00:00:00Z', modelId = 'm1'): StatementPrice => ({
  modelId,
  effectiveFromMs: at(from),
  pricePence,
});
const statement = (month: string, over: Partial<Parameters<typeof computeStatement>[0]>) =>
  computeStatement({
    owner: 'vendor',
    month,
    platformFeeBps: 2000,
    subscriptions: [],
    prices: [],
    refunds: [],
    ...over,
  });

/** The invariants every statement keeps: integer pence, lines sum to the totals, fee + vendor = gross everywhere. */
function assertBalanced(s: Statement) {
  for (const v of [
    s.gross_pence,
    s.fee_pence,
    s.vendor_pence,
    ...s.lines.flatMap((l) => [l.gross_pence, l.fee_pence]),
  ]) {
    assert.ok(Number.isSafeInteger(v), `${v} is whole pence`);
  }
  assert.equal(s.fee_pence + s.vendor_pence, s.gross_pence);
  assert.equal(
    s.lines.reduce((a, l) => a + l.gross_pence, 0),
    s.gross_pence,
  );
  assert.equal(
    s.lines.reduce((a, l) => a + l.fee_pence, 0),
    s.fee_pence,
  );
  assert.equal(
    s.lines.reduce((a, l) => a + l.vendor_pence, 0),
    s.vendor_pence,
  );
  for (const l of s.lines) assert.equal(l.fee_pence + l.vendor_pence, l.gross_pence);
}

describe('revenue statement scenarios', () => {
  test('mid-month subscribe and cancel: 11 active days of March at £10.00 are 355p, fee 71p, vendor 284p', () => {
    const s = statement('2026-03', {
      prices: [price(1000)],
      subscriptions: [sub('a', '2026-03-10T15:00:00Z', '2026-03-20T09:00:00Z')],
    });
    // Days 10 … 20 inclusive: 11 of 31; 1000 × 11 / 31 = 354.84 → 355.
    assert.deepEqual(
      s.lines.map((l) => [l.active_days, l.gross_pence, l.fee_pence, l.vendor_pence]),
      [[11, 355, 71, 284]],
    );
    assert.deepEqual([s.gross_pence, s.fee_pence, s.vendor_pence, s.days_in_month], [355, 71, 284, 31]);
    assertBalanced(s);
  });

  test('a price change mid-month: 15 days at 1000p and 15 at 2000p of a 30-day April are 1500p', () => {
    const s = statement('2026-04', {
      prices: [price(1000), price(2000, '2026-04-16T12:00:00Z')],
      subscriptions: [sub('a', '2026-03-01T00:00:00Z')],
    });
    assert.deepEqual([s.gross_pence, s.fee_pence, s.vendor_pence], [1500, 300, 1200]);
    assertBalanced(s);
  });

  test('leap February: 29 days, so 15 active days at 2900p are exactly 1500p', () => {
    const s = statement('2028-02', {
      prices: [price(2900)],
      subscriptions: [sub('a', '2028-02-15T00:00:00Z')],
    });
    assert.equal(s.days_in_month, 29);
    assert.deepEqual(
      s.lines.map((l) => [l.active_days, l.gross_pence]),
      [[15, 1500]],
    );
    assert.equal(statement('2027-02', {}).days_in_month, 28);
    assertBalanced(s);
  });

  test('a month with no subscribers is an empty, zero statement', () => {
    const s = statement('2026-05', {
      prices: [price(1000)],
      subscriptions: [sub('old', '2026-01-01T00:00:00Z', '2026-04-30T10:00:00Z')],
    });
    assert.deepEqual([s.lines.length, s.gross_pence, s.fee_pence, s.vendor_pence], [0, 0, 0, 0]);
    assert.equal(
      revenueStatementCsv(s),
      'kind,ref,subscription_id,subscriber,model_id,active_days,gross_pence,fee_pence,vendor_pence\r\ntotal,2026-05,,,,,0,0,0\r\n',
    );
  });

  test('many subscribers: 7 × 999p, fee 20% = 1398.6 → 1399p, spread by largest remainder (rounding each line would make 1400p)', () => {
    const subs = Array.from({ length: 7 }, (_, i) => sub(`s${i}`, '2026-01-01T00:00:00Z'));
    const s = statement('2026-06', { prices: [price(999)], subscriptions: subs });
    assert.equal(s.gross_pence, 6993);
    assert.equal(s.fee_pence, 1399);
    assert.equal(
      s.lines.reduce((a, l) => a + Math.round((l.gross_pence * 2000) / 10_000), 0),
      1400,
      'why the rule is needed',
    );
    // Equal remainders: the first six lines in order get the extra penny.
    assert.deepEqual(
      s.lines.map((l) => l.fee_pence),
      [200, 200, 200, 200, 200, 200, 199],
    );
    assertBalanced(s);
  });

  test('a refund is its own negative line in the month it is made, and the fee follows it', () => {
    const s = statement('2026-07', {
      prices: [price(1000)],
      subscriptions: [sub('a', '2026-06-01T00:00:00Z')],
      refunds: [
        { id: 'r1', subscriptionId: 'a', amountPence: 500, atMs: at('2026-07-03T10:00:00Z') },
        { id: 'r0', subscriptionId: 'a', amountPence: 100, atMs: at('2026-06-30T10:00:00Z') },
      ],
    });
    assert.deepEqual(
      s.lines.map((l) => [l.kind, l.gross_pence, l.fee_pence, l.vendor_pence]),
      [
        ['subscription', 1000, 200, 800],
        ['refund', -500, -100, -400],
      ],
    );
    assert.deepEqual([s.gross_pence, s.fee_pence, s.vendor_pence], [500, 100, 400]);
    assertBalanced(s);
  });

  test('a renewal that fails on 10 July and is paid on 20 July: the 9 unpaid days between are not billed (22 of 31 at 3100p = 2200p)', () => {
    const unpaid = (since: string, until: string | null) => ({
      sinceMs: at(since),
      untilMs: until === null ? null : at(until),
    });
    const s = statement('2026-07', {
      prices: [price(3100)],
      subscriptions: [
        // Paid 1–10 (the 10th until the failure at noon), unpaid 11–19, paid again 20–31.
        { ...sub('a', '2026-06-15T09:00:00Z'), unpaid: [unpaid('2026-07-10T12:00:00Z', '2026-07-20T08:00:00Z')] },
        // Still unpaid at the month's end: 1–4 only. The stretch began in June for c: not billed at all in July.
        { ...sub('b', '2026-06-15T09:00:00Z'), unpaid: [unpaid('2026-07-04T23:59:59Z', null)] },
        { ...sub('c', '2026-05-02T00:00:00Z'), unpaid: [unpaid('2026-06-28T00:00:00Z', null)] },
        // Failed and paid at the same instant at midnight: no day is lost.
        { ...sub('d', '2026-06-01T00:00:00Z'), unpaid: [unpaid('2026-07-15T00:00:00Z', '2026-07-15T00:00:00Z')] },
      ],
    });
    assert.deepEqual(
      s.lines.map((l) => [l.ref, l.active_days, l.gross_pence]),
      [
        ['d', 31, 3100],
        ['a', 22, 2200],
        ['b', 4, 400],
      ],
    );
    assert.deepEqual([s.gross_pence, s.fee_pence, s.vendor_pence], [5700, 1140, 4560]);
    assertBalanced(s);
  });

  test('any mix of subscriptions, unpaid stretches, prices, refunds and fee rates balances to the penny; unpaid stretches never add days', () => {
    let state = 7;
    const rand = (n: number) => {
      state = (state * 48_271) % 2_147_483_647;
      return state % n;
    };
    for (let run = 0; run < 300; run++) {
      const subs = Array.from({ length: rand(40) }, (_, i) =>
        sub(
          `s${i}`,
          new Date(Date.UTC(2026, 7, 1 + rand(40) - 5, rand(24))).toISOString(),
          rand(3) ? null : new Date(Date.UTC(2026, 7, 10 + rand(30), rand(24))).toISOString(),
          `m${rand(3)}`,
        ),
      ).filter((s) => s.endedAtMs === null || s.endedAtMs >= s.startedAtMs);
      const prices = Array.from({ length: 1 + rand(4) }, (_, i) =>
        price(rand(100_000), new Date(Date.UTC(2026, 6 + rand(2), 1 + rand(28))).toISOString(), `m${i % 3}`),
      );
      const refunds = subs.slice(0, rand(3)).map((s, i) => ({
        id: `r${i}`,
        subscriptionId: s.id,
        amountPence: 1 + rand(5000),
        atMs: Date.UTC(2026, 7, 1 + rand(31)),
      }));
      // Some renewals fail (and some are paid again): unpaid stretches only ever take days away.
      const withUnpaid = subs.map((s) => {
        if (rand(3)) return s;
        const sinceMs = Date.UTC(2026, 7, rand(35) - 2, rand(24));
        return { ...s, unpaid: [{ sinceMs, untilMs: rand(2) ? null : sinceMs + rand(20) * 86_400_000 }] };
      });
      const input = { owner: 'v', month: '2026-08', platformFeeBps: rand(10_001), prices, refunds };
      const paid = computeStatement({ ...input, subscriptions: withUnpaid });
      assertBalanced(paid);
      const days = (st: Statement) => new Map(st.lines.map((l) => [l.ref, l.active_days]));
      const all = days(computeStatement({ ...input, subscriptions: subs }));
      for (const [ref, n] of days(paid)) assert.ok(n <= (all.get(ref) ?? 0), `${ref}: ${n} paid days`);
    }
  });

  test('CSV: header, one row per line, a total row, CRLF; a formula-like subscriber is quoted and defused', () => {
    const s = statement('2026-03', {
      prices: [price(3100)],
      subscriptions: [{ ...sub('a', '2026-02-01T00:00:00Z'), subscriber: '=cmd|x' }],
    });
    assert.equal(
      revenueStatementCsv(s),
      [
        'kind,ref,subscription_id,subscriber,model_id,active_days,gross_pence,fee_pence,vendor_pence',
        `subscription,a,a,"'=cmd|x",m1,31,3100,620,2480`,
        'total,2026-03,,,,,3100,620,2480',
        '',
      ].join('\r\n'),
    );
  });
});
