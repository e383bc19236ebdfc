#!/usr/bin/env node
// Bundles an app's src/main.ts into dist/main.js for production (`node apps/<name>/dist/main.js`): our workspace
// packages (TypeScript sources) are bundled in, every other package stays an external import from node_modules.
// Usage (from an app folder): node ../../scripts/build-app.mjs [outfile, default dist/main.js]
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds `<appDir>/src/main.ts` into `outfile` (relative to appDir); returns the bare package names the bundle imports
 * at run time (what the image's `npm ci --omit=dev -w <app>` must install).
 */
export async function buildApp(appDir, outfile = 'dist/main.js', { quiet = false } = {}) {
  const result = await build({
    absWorkingDir: resolve(appDir),
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: quiet ? 'error' : 'info',
    plugins: [
      {
        name: 'externalize-node-modules',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@neuronetiq/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const externals = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith('node:')) continue;
      const parts = imp.path.split('/');
      externals.add(imp.path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
    }
  }
  return [...externals].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildApp(process.cwd(), process.argv[2]);
}
