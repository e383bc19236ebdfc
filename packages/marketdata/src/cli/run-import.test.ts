import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import type { OhlcvBar } from '@neuronetiq/contracts';
import { runImportCommand } from './run-import';

const dir = mkdtempSync(join(tmpdir(), 'marketdata-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'eurusd.csv');
writeFileSync(file, '20170312 163000;1.1;1.2;1.0;1.1;0\n20170312 170000;1.1;1.0;1.2;1.1;0\n');

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream: s as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('runImportCommand', () => {
  test('imports into the sink and prints the report with the clock it assumed', async () => {
    const stored: OhlcvBar[] = [];
    const out = capture();
    const code = await runImportCommand([file, '--symbol', 'EURUSD', '--tf', '1m', '--tz', 'America/New_York'], {
      sink: async (bars) => {
        stored.push(...bars);
      },
      stdout: out.stream,
      stderr: capture().stream,
    });
    assert.equal(code, 0);
    assert.deepEqual(
      stored.map((b) => b.bar_ts),
      ['2017-03-12T20:30:00.000Z'],
    );
    assert.match(out.text(), /2 rows read, 1 stored, 0 duplicates dropped, 1 rejected/);
    assert.match(out.text(), /clock: local times read as America\/New_York/);
    assert.match(out.text(), /rejected high_below_low .*: 1 — lines 2/);
  });

  test('--dry-run stores nothing; --json prints the report as JSON', async () => {
    const out = capture();
    let calls = 0;
    const code = await runImportCommand([file, '--symbol', 'EURUSD', '--tf', '1m', '--dry-run', '--json'], {
      sink: async () => {
        calls++;
      },
      stdout: out.stream,
      stderr: capture().stream,
    });
    assert.equal(code, 0);
    assert.equal(calls, 0);
    assert.equal(JSON.parse(out.text()).stored, 1);
  });

  test('usage mistakes exit 2 and a missing file exits 1, each with a message', async () => {
    const err = capture();
    assert.equal(await runImportCommand([file, '--tf', '1m'], { sink: async () => {}, stderr: err.stream }), 2);
    assert.match(err.text(), /required option '--symbol <symbol>'/);
    const err2 = capture();
    assert.equal(
      await runImportCommand([join(dir, 'nope.csv'), '--symbol', 'X', '--tf', '1m'], {
        sink: async () => {},
        stderr: err2.stream,
      }),
      1,
    );
    assert.match(err2.text(), /nope\.csv" does not exist/);
  });
});
