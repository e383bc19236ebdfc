#!/usr/bin/env node
// The one test command: lint + format check, typecheck, then every *.test.ts under apps/ packages/ bench/ scripts/
// through node's test runner (tsx loader). Database tests run on the embedded PGlite and, when DATABASE_URL is set,
// also on that PostgreSQL server (each in a database they create and drop).
// Flags: --only-tests skips lint/typecheck; any other argument filters test files by substring.
import { spawnSync } from 'node:child_process';
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
run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=180000',
  '--test-force-exit',
  '--test-reporter=spec',
  ...files,
]);
