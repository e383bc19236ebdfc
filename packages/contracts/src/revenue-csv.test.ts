// The revenue statement's CSV (shared by the api and the web): RFC 4180 quoting and spreadsheet-formula defusing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell, revenueStatementCsv } from './revenue-csv';
import type { RevenueStatement } from './subscriptions';

test('CSV cells: plain text and numbers as they are; commas, quotes and line breaks quoted', () => {
  assert.equal(csvCell('alice'), 'alice');
  assert.equal(csvCell(1234), '1234');
  assert.equal(csvCell(-500), '-500', 'a negative amount stays a number');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\r\nlines'), '"two\r\nlines"');
  assert.equal(csvCell(''), '');
});

test('CSV injection: text starting with = + - @ tab or CR is defused with an apostrophe and quoted', () => {
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell('+1+cmd|calc'), `"'+1+cmd|calc"`);
  assert.equal(csvCell('-2+3'), `"'-2+3"`);
  assert.equal(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
  assert.equal(csvCell('\t=1'), `"'\t=1"`);
  assert.equal(csvCell('\r=1'), `"'\r=1"`);
  assert.equal(csvCell('a=b'), 'a=b', 'only a leading sign is a formula');
});

test('statement CSV: header, one row per line, a total row, CRLF; the amounts sum to the total', () => {
  const statement: RevenueStatement = {
    owner: 'alice',
    month: '2026-02',
    days_in_month: 28,
    platform_fee_bps: 2000,
    gross_pence: 1_399,
    fee_pence: 280,
    vendor_pence: 1_119,
    lines: [
      {
        kind: 'subscription',
        ref: 's1',
        subscription_id: 's1',
        subscriber: 'bob',
        model_id: 'm1',
        active_days: 28,
        gross_pence: 999,
        fee_pence: 200,
        vendor_pence: 799,
      },
      {
        kind: 'subscription',
        ref: 's2',
        subscription_id: 's2',
        subscriber: '=cmd',
        model_id: 'm1',
        active_days: 14,
        gross_pence: 500,
        fee_pence: 100,
        vendor_pence: 400,
      },
      {
        kind: 'refund',
        ref: 're1',
        subscription_id: 's2',
        subscriber: '=cmd',
        model_id: 'm1',
        active_days: 0,
        gross_pence: -100,
        fee_pence: -20,
        vendor_pence: -80,
      },
    ],
  };
  const csv = revenueStatementCsv(statement);
  assert.equal(
    csv,
    [
      'kind,ref,subscription_id,subscriber,model_id,active_days,gross_pence,fee_pence,vendor_pence',
      'subscription,s1,s1,bob,m1,28,999,200,799',
      `subscription,s2,s2,"'=cmd",m1,14,500,100,400`,
      `refund,re1,s2,"'=cmd",m1,0,-100,-20,-80`,
      'total,2026-02,,,,,1399,280,1119',
      '',
    ].join('\r\n'),
  );
});
