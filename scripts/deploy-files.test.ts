// deploy/ cannot be exercised here (no Docker engine, no Fly), so this checks what would break a deploy: each service's
// fly.toml names an existing Dockerfile, ports agree with the service's defaults, the image runs the file the build
// produces, and the production install of the app (`npm ci --omit=dev -w <app>`) provides every package its bundle
// imports at run time.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { parseEnv as parseApiEnv } from '../apps/api/src/env';
import { loadEnv as loadCronEnv } from '../apps/cron/src/env';
import { loadEnv as loadOrchestratorEnv } from '../apps/orchestrator/src/env';
import { parseWorkerEnv } from '../apps/worker/src/env';
// @ts-expect-error: a plain .mjs script without type declarations
import { buildApp } from './build-app.mjs';
import { declaredEnv } from './support/env-vars';

const root = fileURLToPath(new URL('..', import.meta.url));
// Ports are the services' own defaults (what each env.ts gives an empty environment), not numbers copied here.
const required = { SERVICE_ROLE_KEY: 'k'.repeat(32), DATABASE_URL: 'postgres://u@db:5432/x' };
const orchestratorConfig = loadOrchestratorEnv(required).config;
const flyEnv = (app: string) =>
  ((parse(readFileSync(join(root, 'deploy', `fly.${app}.toml`), 'utf8')) as { env?: Record<string, string> }).env ??
    {}) as Record<string, string>;
const SERVICES = [
  {
    app: 'api',
    fly: 'trader-infra-api',
    port: parseApiEnv({}).PORT,
    // The api serves /metrics only on METRICS_PORT (unset by default: no metrics server), never on its public port.
    metricsPort: parseApiEnv({ METRICS_PORT: String(flyEnv('api').METRICS_PORT) }).METRICS_PORT as number,
    ready: '/health/ready',
  },
  {
    app: 'worker',
    fly: 'trader-ml-worker',
    port: parseWorkerEnv({}).PORT,
    metricsPort: parseWorkerEnv({}).PORT,
    ready: '/health',
  },
  {
    app: 'orchestrator',
    fly: 'trader-ml-orchestrator',
    port: orchestratorConfig.port as number,
    metricsPort: orchestratorConfig.metricsPort as number,
    ready: '/health',
  },
  {
    app: 'cron',
    fly: 'trader-infra-cron',
    port: loadCronEnv(required).config.port as number,
    metricsPort: loadCronEnv(required).config.port as number,
    ready: '/health',
  },
] as const;
// The seed's sizes: 512 MB / 1 shared CPU for the always-on services, 1 GB / 2 for the worker.
const VM = {
  api: { memory: '512mb', cpu_kind: 'shared', cpus: 1 },
  worker: { memory: '1gb', cpu_kind: 'shared', cpus: 2 },
  orchestrator: { memory: '512mb', cpu_kind: 'shared', cpus: 1 },
  cron: { memory: '512mb', cpu_kind: 'shared', cpus: 1 },
} as const;

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
const workspaces = new Map<string, PackageJson>();
for (const dir of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, dir))) {
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
      primary_region: string;
      kill_signal?: string;
      kill_timeout?: number;
      build: { dockerfile: string };
      env?: Record<string, string>;
      http_service: { internal_port: number; checks?: Array<{ path: string; method?: string }> };
      checks: Record<string, { path: string; port?: number }>;
      metrics?: { port: number; path: string };
      vm: Array<{ memory: string; cpu_kind: string; cpus: number }>;
    };

    test('fly.toml names the app, an existing Dockerfile, the service port and the health and metrics paths', () => {
      assert.equal(fly.app, s.fly);
      assert.ok(existsSync(join(root, fly.build.dockerfile)), `${fly.build.dockerfile} (relative to the repo root)`);
      assert.equal(fly.http_service.internal_port, s.port);
      const health = Object.values(fly.checks).find((c) => c.path === '/health');
      assert.ok(health, 'a /health check');
      if (health.port !== undefined) assert.equal(health.port, s.port);
      assert.deepEqual({ ...fly.metrics }, { port: s.metricsPort, path: '/metrics' });
      if (s.app === 'api') {
        // The api's metrics stay off the public service: their port is not the one [http_service] routes to, and no
        // other public [[services]] entry exists.
        assert.notEqual(fly.http_service.internal_port, s.metricsPort);
        assert.equal((fly as { services?: unknown }).services, undefined);
      }
      if (fly.env?.PORT !== undefined) assert.equal(fly.env.PORT, String(s.port));
    });

    test('fly.toml: the seed region and VM size, a routing check, SIGTERM with time for the 10 s grace, production env', () => {
      assert.equal(fly.primary_region, 'lhr');
      assert.deepEqual({ ...fly.vm[0] }, VM[s.app]);
      assert.equal(fly.http_service.checks?.[0]?.path, s.ready, 'a [[http_service.checks]] gates routing');
      assert.equal(fly.kill_signal, 'SIGTERM', "Fly's default is SIGINT");
      assert.ok((fly.kill_timeout ?? 5) > 10, "kill_timeout (s) above the services' 10 s shutdown grace");
      assert.equal(fly.env?.NODE_ENV, 'production');
      // Every [env] variable is one the service reads: a misspelt or stale one would be silently ignored.
      const known = new Set([...declaredEnv(s.app), 'NODE_ENV']);
      assert.deepEqual(
        Object.keys(fly.env ?? {}).filter((k) => !known.has(k)),
        [],
        `not read by apps/${s.app}/src/env.ts`,
      );
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
      // Multi-stage on one slim Node image; the runtime stage holds only the production install and this app's bundle.
      const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
      assert.equal(stages.length, 2);
      assert.match(stages[1] ?? '', /^node:(20|22|24)-slim$/);
      assert.equal(stages[0], stages[1]);
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      assert.doesNotMatch(runtime, /^COPY \. /m, 'no source tree in the runtime image');
      assert.deepEqual(
        [...runtime.matchAll(/^COPY --from=build \/app\/(\S+)/gm)].map((m) => m[1]),
        ['package.json', 'node_modules', `apps/${s.app}/dist`, ...(s.app === 'api' ? ['supabase/migrations'] : [])],
      );
      assert.match(runtime, /^ENV NODE_ENV=production$/m);
      assert.ok(runtime.indexOf('USER node') < runtime.indexOf('CMD '), 'the command runs as node');
      if (s.app === 'api') assert.match(dockerfile, /COPY --from=build \/app\/supabase\/migrations/);
    });

    test('the production install provides every package the bundle imports at run time', async () => {
      const externals = (await buildApp(join(root, 'apps', s.app), join(outDir, s.app, 'main.js'), {
        quiet: true,
      })) as string[];
      // The file the Dockerfile's CMD runs is what `npm run build -w @neuronetiq/<app>` writes (build-app.mjs's default).
      const build = (readJson(join(root, 'apps', s.app, 'package.json')) as { scripts?: Record<string, string> })
        .scripts?.build;
      assert.equal(build, 'node ../../scripts/build-app.mjs', `apps/${s.app}/package.json "build" writes dist/main.js`);
      assert.ok(existsSync(join(outDir, s.app, 'main.js')));
      const builtins = new Set(builtinModules);
      const needed = externals.filter((p) => !builtins.has(p));
      assert.ok(needed.length > 0, 'the bundle imports its runtime packages instead of inlining them');
      const provided = productionClosure(`@neuronetiq/${s.app}`);
      const missing = needed.filter((p) => !provided.has(p));
      assert.deepEqual(missing, [], `add these to a "dependencies" of @neuronetiq/${s.app} or of what it uses`);
    });
  });
}

describe('supabase/config.toml (Day 1: supabase db push)', () => {
  const config = parse(readFileSync(join(root, 'supabase', 'config.toml'), 'utf8')) as {
    db: { major_version: number };
    api: { schemas: string[] };
    auth: { site_url: string; external: Record<string, { enabled: boolean; client_id: string; secret: string }> };
  };

  test("PostgreSQL 15, PostgREST limited to public, GitHub and Google documented (sign-in is the web app's)", () => {
    assert.equal(config.db.major_version, 15);
    assert.deepEqual(config.api.schemas, ['public']);
    assert.equal(config.auth.site_url, 'https://trader.neuronetiq.com');
    for (const provider of ['github', 'google']) {
      const p = config.auth.external[provider];
      assert.ok(p, `[auth.external.${provider}]`);
      assert.equal(p.enabled, false, 'the web app signs people in; a second way would bypass the owner mapping');
      assert.equal(p.secret, `env(${provider.toUpperCase()}_CLIENT_SECRET)`, 'never a secret in the file');
    }
    const text = readFileSync(join(root, 'supabase', 'config.toml'), 'utf8');
    assert.match(text, /api\/auth\/callback\/github/);
    assert.match(text, /api\/auth\/callback\/google/);
  });

  test('every migration file has the name supabase db push applies (<timestamp>_<name>.sql)', () => {
    const files = readdirSync(join(root, 'supabase', 'migrations'));
    assert.ok(files.length > 10);
    assert.deepEqual(
      files.filter((f) => !/^\d{14}_[a-z0-9_]+\.sql$/.test(f)),
      [],
    );
  });
});

describe('apps/web/vercel.json', () => {
  const vercel = JSON.parse(readFileSync(join(root, 'apps', 'web', 'vercel.json'), 'utf8')) as {
    framework: string;
    installCommand: string;
    buildCommand: string;
    regions: string[];
  };

  test('Next.js from the workspace root, in London beside the Fly apps', () => {
    assert.equal(vercel.framework, 'nextjs');
    assert.match(vercel.installCommand, /^cd \.\.\/\.\. && npm ci\b/, 'the workspace installs from the repo root');
    assert.equal(vercel.buildCommand, 'next build');
    assert.deepEqual(vercel.regions, ['lhr1']);
  });
});
