// A node:test reporter beside the spec one: appends each top-level test's or suite's duration and file to the file
// named by NQ_TEST_TIMES, which scripts/test.mjs sums per file after the run (the files that bound the CI time). It
// writes as it goes: --test-force-exit ends the runner before a reporter's last words would be printed. Node 20
// reports no event per file, so a file's own top-level before() is not counted (a suite's hooks are).
import { appendFileSync } from 'node:fs';

export default async function* slowestFiles(source) {
  const out = process.env.NQ_TEST_TIMES;
  for await (const event of source) {
    if (!out || (event.type !== 'test:pass' && event.type !== 'test:fail')) continue;
    const { nesting, file, details } = event.data;
    if (nesting === 0 && file) appendFileSync(out, `${Math.round(details?.duration_ms ?? 0)}\t${file}\n`);
  }
  yield '';
}
