#!/usr/bin/env node
// Bundles an app's src/main.ts into dist/main.js for production (`node apps/<name>/dist/main.js`): our workspace
// packages (TypeScript sources) are bundled in, every other package stays an external import from node_modules.
// Usage (from an app folder): node ../../scripts/build-app.mjs
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'info',
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
