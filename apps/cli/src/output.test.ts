import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOut, table } from './output';

const sink = (isTTY: boolean) => {
  let text = '';
  return { stream: { isTTY, write: (s: string) => (text += s) }, text: () => text };
};

test('colour only on a terminal and only without NO_COLOR or --no-color', () => {
  const tty = sink(true);
  const on = createOut({ stdout: tty.stream, stderr: tty.stream }, { json: false, noColor: false });
  assert.equal(on.color, true);
  assert.equal(on.green('ok'), '\u001b[32mok\u001b[39m');
  for (const [isTTY, noColor] of [
    [false, false],
    [true, true],
  ] as const) {
    const s = sink(isTTY);
    const out = createOut({ stdout: s.stream, stderr: s.stream }, { json: false, noColor });
    assert.equal(out.green('ok'), 'ok', `isTTY=${isTTY} noColor=${noColor}`);
  }
});

test('--json prints data and silences the lines meant for people; tables pad columns and right-align numbers', () => {
  const s = sink(false);
  const out = createOut({ stdout: s.stream, stderr: sink(false).stream }, { json: true, noColor: false });
  out.say('for people');
  out.data({ a: 1 });
  assert.deepEqual(JSON.parse(s.text()), { a: 1 });
  assert.equal(
    table(
      [
        { name: 'alpha', n: 5 },
        { name: 'b', n: 120 },
      ],
      [
        { header: 'name', value: (r) => r.name },
        { header: 'n', value: (r) => r.n, align: 'right' },
      ],
    ),
    'NAME     N\nalpha    5\nb      120',
  );
});
