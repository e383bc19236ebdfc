// `npm run train -- --data <csv>` end to end: the committed weights file must be exactly what the command writes
// from the data it names, so nobody can hand-edit a weight, a data range or a hit rate.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LOGREG_WEIGHTS } from '../builtin/logreg-001';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const committed = fileURLToPath(new URL('../logreg/logreg-001.weights.json', import.meta.url));
const data = fileURLToPath(new URL('../../../../../shared/data/backtestingpy-eurusd-h1/EURUSD.csv', import.meta.url));

function npmRunTrain(args: string[]) {
  return spawnSync('npm', ['run', '--silent', 'train', '--', ...args], { cwd: root, encoding: 'utf8' });
}

test('npm run train rewrites the committed weights file byte for byte from the data it records', (t) => {
  if (!existsSync(data)) {
    t.skip('../shared/data/backtestingpy-eurusd-h1 is absent (a fresh clone has no ../shared)');
    return;
  }
  const training = LOGREG_WEIGHTS.training as { data: string; l2: number; folds: unknown[] };
  assert.equal(training.data, 'backtestingpy-eurusd-h1/EURUSD.csv', 'the file records the data it was trained on');
  const dir = mkdtempSync(join(tmpdir(), 'logreg-train-'));
  try {
    const out = join(dir, 'weights.json');
    const run = npmRunTrain([
      '--data',
      data,
      '--folds',
      String(training.folds.length),
      '--l2',
      String(training.l2),
      '--threshold',
      String(LOGREG_WEIGHTS.threshold),
      '--version',
      LOGREG_WEIGHTS.version,
      '--out',
      out,
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /out-of-sample hit rate, all folds: \d+\.\d+% on \d+ decisions/);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(committed, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run train without --data prints its usage and exits 2, writing nothing', () => {
  const before = readFileSync(committed, 'utf8');
  const run = npmRunTrain([]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /usage: npm run train -- --data <csv>/);
  assert.equal(readFileSync(committed, 'utf8'), before);
});
