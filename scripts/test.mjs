#!/usr/bin/env node
// The one test command: lint + format check, unused code, typecheck, and every *.test.ts under apps/ packages/ bench/
// scripts/ through node's test runner (tsx loader). The static checks run one after another beside the tests (their
// output printed after the tests'): on two cores the run is bounded by the tests, which wait on sockets and browsers. Database tests run on the embedded PGlite and, when DATABASE_URL is set,
// also on that PostgreSQL server (each in a database they create and drop).
// Flags: --only-tests skips lint/typecheck; any other argument filters test files by substring.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyTests = args.includes('--only-tests');
const filters = args.filter((a) => !a.startsWith('--'));

/** Runs a command with its output kept (printed later, so it does not interleave with the tests'). */
function runBuffered(cmd, cmdArgs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, ...options });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

function findTests(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === '.next' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

const files = ['apps', 'packages', 'bench', 'scripts']
  .flatMap((d) => {
    try {
      return findTests(join(root, d), []);
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
console.log(
  `\nrunning ${files.length} test files${process.env.DATABASE_URL ? ' (embedded PGlite + PostgreSQL at DATABASE_URL)' : ' (embedded PGlite only; set DATABASE_URL to add PostgreSQL)'}`,
);
const STATIC_CHECKS = [
  ['npx', ['biome', 'check', '.']],
  // Unused files, exports and dependencies, and dependencies used but not declared (knip.json says what is an entry).
  ['npx', ['knip', '--no-progress', '--no-config-hints']],
  ['npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  // The web app is its own program: Next's types declare globals (a required NODE_ENV) that the services' code and
  // tests do not have, and it needs the DOM and JSX.
  ['npx', ['tsc', '-p', 'apps/web/tsconfig.json', '--noEmit']],
];
const staticRun = onlyTests
  ? Promise.resolve({ code: 0, out: '' })
  : (async () => {
      let out = '';
      let failed = 0;
      for (const [cmd, cmdArgs] of STATIC_CHECKS) {
        const started = Date.now();
        const r = await runBuffered(cmd, cmdArgs);
        const took = `${Math.round((Date.now() - started) / 1000)} s`;
        out += `\n$ ${cmd} ${cmdArgs.join(' ')}   (${took})\n${r.out}`;
        if (r.code !== 0) {
          out += `${cmd} ${cmdArgs[0]} failed (exit ${r.code})\n`;
          failed = r.code;
        }
      }
      return { code: failed, out };
    })();

// No test here takes more than ~15 s; a hung one fails by name after 3 minutes instead of stalling CI, and a file
// whose tests have finished exits even if something it started left a handle open (--test-force-exit).
// `*.long.test.ts` files walk through a whole story (docs/tutorial.md: start the platform, install, run a model) whose
// promise is minutes, not seconds: they run beside the others with the 15 minutes that story may take, their output
// printed after the others'.
const testArgs = (timeoutMs, list) => [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  `--test-timeout=${timeoutMs}`,
  '--test-force-exit',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  // After the run: the files that took longest (what bounds the CI time).
  `--test-reporter=${join(root, 'scripts/slowest-files.mjs')}`,
  '--test-reporter-destination=stdout',
  ...list,
];
// Per file, the summed time of its tests (scripts/slowest-files.mjs writes it here); printed after the run.
const timesDir = mkdtempSync(join(tmpdir(), 'nq-test-times-'));
const timesEnv = (name) => ({ ...process.env, NQ_TEST_TIMES: join(timesDir, name) });
function slowestFiles(name, count = 12) {
  let text = '';
  try {
    text = readFileSync(join(timesDir, name), 'utf8');
  } catch {
    return '';
  }
  const byFile = new Map();
  for (const line of text.split('\n').filter(Boolean)) {
    const [ms, file] = line.split('\t');
    byFile.set(file, (byFile.get(file) ?? 0) + Number(ms));
  }
  const sorted = [...byFile].sort((a, b) => b[1] - a[1]);
  const total = sorted.reduce((s, [, ms]) => s + ms, 0);
  return `\nslowest ${name} test files (summed over all ${sorted.length}: ${Math.round(total / 1000)} s)\n${sorted
    .slice(0, count)
    .map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${relative(root, file)}`)
    .join('\n')}\n`;
}
const long = files.filter((f) => f.endsWith('.long.test.ts'));
const short = files.filter((f) => !long.includes(f));
const longRun = long.length
  ? runBuffered(process.execPath, testArgs(900_000, long), { env: timesEnv('long') })
  : Promise.resolve({ code: 0, out: '' });
const shortStatus = short.length
  ? await new Promise((resolve) => {
      spawn(process.execPath, testArgs(180_000, short), { stdio: 'inherit', cwd: root, env: timesEnv('short') }).on(
        'close',
        resolve,
      );
    })
  : 0;
const longResult = await longRun;
if (long.length) {
  console.log(`\n$ long-running test files: ${long.join(' ')}`);
  process.stdout.write(longResult.out);
}
process.stdout.write(slowestFiles('short') + slowestFiles('long'));
rmSync(timesDir, { recursive: true, force: true });
const staticResult = await staticRun;
if (!onlyTests) {
  console.log('\n$ static checks (run beside the tests)');
  process.stdout.write(staticResult.out);
}
const failures = [
  shortStatus !== 0 && 'test files',
  longResult.code !== 0 && 'long-running test files',
  staticResult.code !== 0 && 'static checks',
].filter(Boolean);
if (failures.length > 0) {
  console.error(`\nfailed: ${failures.join(', ')}`);
  process.exit(1);
}
