// deploy/ cannot be exercised here (no Docker engine, no Fly), so this checks what would break a deploy: each service's
// fly.toml names an existing Dockerfile, ports agree with the service's defaults, the image runs the file the build
// produces, and the production install of the app (`npm ci --omit=dev -w <app>`) provides every package its bundle
// imports at run time.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
// @ts-expect-error: a plain .mjs script without type declarations
import { buildApp } from './build-app.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVICES = [
  { app: 'api', fly: 'trader-infra-api', port: 8787, metricsPort: 8787 },
  { app: 'worker', fly: 'trader-ml-worker', port: 7071, metricsPort: 7071 },
  { app: 'orchestrator', fly: 'trader-ml-orchestrator', port: 8080, metricsPort: 9091 },
  { app: 'cron', fly: 'trader-infra-cron', port: 8081, metricsPort: 8081 },
] as const;

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
const workspaces = new Map<string, PackageJson>();
for (const dir of ['apps', 'packages']) {
  for (const name of [
    'api',
    'worker',
    'orchestrator',
    'cron',
    'client',
    'contracts',
    'db',
    'indicators',
    'marketdata',
    'models',
  ]) {
    const file = join(root, dir, name, 'package.json');
    if (existsSync(file)) {
      const pkg = readJson(file);
      workspaces.set(pkg.name, pkg);
    }
  }
}

/** Every package the production install of a workspace provides: its dependencies, and theirs for workspace ones. */
function productionClosure(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(workspaces.get(name)?.dependencies ?? {})) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (workspaces.has(dep)) productionClosure(dep, seen);
  }
  return seen;
}

const outDir = mkdtempSync(join(tmpdir(), 'nq-deploy-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

for (const s of SERVICES) {
  describe(`deploy files of ${s.app}`, () => {
    const flyPath = join(root, 'deploy', `fly.${s.app}.toml`);
    const fly = parse(readFileSync(flyPath, 'utf8')) as {
      app: string;
      build: { dockerfile: string };
      env?: Record<string, string>;
      http_service: { internal_port: number };
      checks: Record<string, { path: string; port?: number }>;
      metrics?: { port: number; path: string };
    };

    test('fly.toml names the app, an existing Dockerfile, the service port and the health and metrics paths', () => {
      assert.equal(fly.app, s.fly);
      assert.ok(existsSync(join(root, fly.build.dockerfile)), `${fly.build.dockerfile} (relative to the repo root)`);
      assert.equal(fly.http_service.internal_port, s.port);
      const health = Object.values(fly.checks).find((c) => c.path === '/health');
      assert.ok(health, 'a /health check');
      if (health.port !== undefined) assert.equal(health.port, s.port);
      assert.deepEqual({ ...fly.metrics }, { port: s.metricsPort, path: '/metrics' });
      if (fly.env?.PORT !== undefined) assert.equal(fly.env.PORT, String(s.port));
    });

    test('the Dockerfile builds this app from the repo root, exposes its ports and runs its bundle', () => {
      const dockerfile = readFileSync(join(root, fly.build.dockerfile), 'utf8');
      assert.match(dockerfile, new RegExp(`npm run build -w @neuronetiq/${s.app}\\b`));
      assert.match(dockerfile, new RegExp(`npm ci --omit=dev [^\\n]*-w @neuronetiq/${s.app}\\b`));
      assert.match(dockerfile, new RegExp(`COPY --from=build /app/apps/${s.app}/dist \\./apps/${s.app}/dist`));
      assert.match(dockerfile, new RegExp(`CMD \\["node", "apps/${s.app}/dist/main\\.js"\\]`));
      const exposed = (/^EXPOSE (.+)$/m.exec(dockerfile)?.[1] ?? '').split(/\s+/).map(Number);
      assert.ok(exposed.includes(s.port), `EXPOSE ${s.port}`);
      assert.ok(exposed.includes(s.metricsPort), `EXPOSE ${s.metricsPort}`);
      assert.match(dockerfile, /^USER node$/m, 'runs as a non-root user');
      if (s.app === 'api') assert.match(dockerfile, /COPY --from=build \/app\/supabase\/migrations/);
    });

    test('the production install provides every package the bundle imports at run time', async () => {
      const externals = (await buildApp(join(root, 'apps', s.app), join(outDir, s.app, 'main.js'), {
        quiet: true,
      })) as string[];
      const builtins = new Set(builtinModules);
      const needed = externals.filter((p) => !builtins.has(p));
      assert.ok(needed.length > 0, 'the bundle imports its runtime packages instead of inlining them');
      const provided = productionClosure(`@neuronetiq/${s.app}`);
      const missing = needed.filter((p) => !provided.has(p));
      assert.deepEqual(missing, [], `add these to a "dependencies" of @neuronetiq/${s.app} or of what it uses`);
    });
  });
}
