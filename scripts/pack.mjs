#!/usr/bin/env node
// Builds the packages an outsider installs and packs them with npm: @neuronetiq/contracts, @neuronetiq/indicators and
// @neuronetiq/client as ES modules with type declarations, and the mp CLI as one self-contained file (carrying the
// tarballs of contracts and indicators for the projects `mp init` scaffolds). Inside the monorepo every package keeps
// exporting its TypeScript source (tsx runs it); what is published is built into each package's dist/ together with
// the manifest it is published with (exports → the built files) into <out>/build/<name>, and packed from there; the
// source tree is not written to.
// Usage: node scripts/pack.mjs [--out <dir>]   (default dist/packages)   → <dir>/*.tgz
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const LIBRARIES = ['packages/contracts', 'packages/indicators', 'packages/client'];

function run(cmd, args, cwd = root) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed (${err.code}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Relative specifiers of emitted declarations get the extension Node's ESM resolution (and NodeNext) needs. */
function fixDeclarationSpecifiers(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      fixDeclarationSpecifiers(p);
      continue;
    }
    if (!name.endsWith('.d.ts')) continue;
    const text = readFileSync(p, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g, (m, lead, q, spec) => {
      if (/\.(js|json)$/.test(spec)) return m;
      const target = resolve(dir, spec);
      const file = existsSync(`${target}.d.ts`) ? `${spec}.js` : `${spec}/index.js`;
      return `${lead}${q}${file}${q}`;
    });
    writeFileSync(p, text);
  }
}

const versionOf = (name) =>
  readJson(
    join(
      root,
      LIBRARIES.find((l) => readJson(join(root, l, 'package.json')).name === name),
      'package.json',
    ),
  ).version;

/** Builds one library into `out`: index.js (its own modules bundled, dependencies imported), .d.ts, manifest. */
export async function buildLibrary(pkgDir, out) {
  const dir = join(root, pkgDir);
  const pkg = readJson(join(dir, 'package.json'));
  rmSync(out, { recursive: true, force: true });
  await build({
    absWorkingDir: dir,
    entryPoints: ['src/index.ts'],
    outfile: join(out, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'error',
    packages: 'external',
  });
  await run(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(dir, 'tsconfig.build.json'),
    '--outDir',
    out,
  ]);
  fixDeclarationSpecifiers(out);
  const dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies ?? {}).map(([name, range]) => [
      name,
      name.startsWith('@neuronetiq/') ? versionOf(name) : range,
    ]),
  );
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    type: 'module',
    sideEffects: false,
    engines: { node: '>=20.10' },
    main: './index.js',
    types: './index.d.ts',
    exports: { '.': { types: './index.d.ts', import: './index.js' }, './package.json': './package.json' },
    dependencies,
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (existsSync(join(dir, 'README.md'))) cpSync(join(dir, 'README.md'), join(out, 'README.md'));
  return out;
}

async function npmPack(dir, destination) {
  mkdirSync(destination, { recursive: true });
  const answer = JSON.parse(
    await run('npm', ['pack', dir, '--pack-destination', destination, '--json', '--ignore-scripts']),
  );
  return join(destination, answer[0].filename);
}

/** Builds mp into `outDir`: one bundled file (no dependencies to install) and the starter's vendor tarballs. */
export async function buildCli({ vendorTarballs = [], outDir }) {
  const dir = join(root, 'apps/cli');
  const pkg = readJson(join(dir, 'package.json'));
  const out = outDir;
  rmSync(out, { recursive: true, force: true });
  await build({
    absWorkingDir: dir,
    entryPoints: ['src/main.ts'],
    outfile: join(out, 'mp.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // CommonJS dependencies (commander, cli-progress) call require() for Node's modules; give the ES module one.
    banner: {
      js: "import { createRequire as __mpRequire } from 'node:module'; const require = __mpRequire(import.meta.url);",
    },
  });
  mkdirSync(join(out, 'vendor'), { recursive: true });
  for (const t of vendorTarballs) cpSync(t, join(out, 'vendor', t.split('/').pop()));
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    type: 'module',
    engines: { node: '>=20.10' },
    bin: { mp: './mp.js' },
    files: ['mp.js', 'vendor'],
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (existsSync(join(dir, 'README.md'))) cpSync(join(dir, 'README.md'), join(out, 'README.md'));
  return out;
}

/** Builds and packs everything; returns the tarball paths by package name. */
export async function packAll(destination = join(root, 'dist/packages')) {
  const tarballs = {};
  // The libraries build and pack side by side (tsc and npm spend most of it starting up).
  await Promise.all(
    LIBRARIES.map(async (lib) => {
      const out = await buildLibrary(lib, join(destination, 'build', lib.split('/').pop()));
      tarballs[readJson(join(out, 'package.json')).name] = await npmPack(out, destination);
    }),
  );
  const cli = await buildCli({
    outDir: join(destination, 'build', 'mp'),
    vendorTarballs: [tarballs['@neuronetiq/contracts'], tarballs['@neuronetiq/indicators']],
  });
  tarballs.mp = await npmPack(cli, destination);
  return tarballs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const destination = i > 0 ? resolve(process.argv[i + 1]) : join(root, 'dist/packages');
  const tarballs = await packAll(destination);
  for (const t of Object.values(tarballs)) console.log(relative(process.cwd(), t));
}
