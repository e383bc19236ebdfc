#!/usr/bin/env node
// The one test command: lint + format check, typecheck, then every *.test.ts under apps/ packages/ bench/ scripts/
// through node's test runner (tsx loader). Database tests run on the embedded PGlite and, when DATABASE_URL is set,
// also on that PostgreSQL server (each in a database they create and drop).
// Flags: --only-tests skips lint/typecheck; any other argument filters test files by substring.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyTests = args.includes('--only-tests');
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, cmdArgs) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`\n${cmd} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
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

if (!onlyTests) {
  run('npx', ['biome', 'check', '.']);
  // Unused files, exports and dependencies, and dependencies used but not declared (knip.json says what is an entry).
  run('npx', ['knip', '--no-progress', '--no-config-hints']);
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  // The web app is its own program: Next's types declare globals (a required NODE_ENV) that the services' code and
  // tests do not have, and it needs the DOM and JSX.
  run('npx', ['tsc', '-p', 'apps/web/tsconfig.json', '--noEmit']);
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
  ...list,
];
const long = files.filter((f) => f.endsWith('.long.test.ts'));
const short = files.filter((f) => !long.includes(f));
const longRun = long.length
  ? new Promise((resolve) => {
      const child = spawn(process.execPath, testArgs(900_000, long), { cwd: root });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      child.on('close', (code) => resolve({ code, out }));
    })
  : Promise.resolve({ code: 0, out: '' });
const shortStatus = short.length
  ? await new Promise((resolve) => {
      spawn(process.execPath, testArgs(180_000, short), { stdio: 'inherit', cwd: root }).on('close', resolve);
    })
  : 0;
const longResult = await longRun;
if (long.length) {
  console.log(`\n$ long-running test files: ${long.join(' ')}`);
  process.stdout.write(longResult.out);
}
if (shortStatus !== 0 || longResult.code !== 0) {
  console.error(`\ntests failed (exit ${shortStatus !== 0 ? shortStatus : longResult.code})`);
  process.exit(1);
}
