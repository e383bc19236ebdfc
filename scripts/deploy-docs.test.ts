// docs/deploy.md is the runbook: it must name every secret a service cannot start without in production (derived from
// the services' own env schemas, so a new required variable fails here until the runbook has it), and its commands
// may only set variables a service reads and deploy files that exist.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEnv as parseApiEnv } from '../apps/api/src/env';
import { loadEnv as loadCronEnv } from '../apps/cron/src/env';
import { loadEnv as loadOrchestratorEnv } from '../apps/orchestrator/src/env';
import { parseEnv as parseWebEnv } from '../apps/web/src/env';
import { parseWorkerEnv } from '../apps/worker/src/env';
import { declaredEnv } from './support/env-vars';

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(`${root}docs/deploy.md`, 'utf8');

/** The variables an empty production environment is refused for, from the error's `NAME: …` lines. */
function refusedWithout(parse: (env: Record<string, string>) => unknown): string[] {
  try {
    parse({ NODE_ENV: 'production' });
  } catch (err) {
    return [...(err as Error).message.matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1] as string);
  }
  return [];
}

const SERVICES = {
  api: refusedWithout(parseApiEnv),
  orchestrator: refusedWithout(loadOrchestratorEnv),
  cron: refusedWithout(loadCronEnv),
  worker: refusedWithout(parseWorkerEnv),
  web: refusedWithout(parseWebEnv),
};

/** The runbook's "### <service> (…)" section under "Secrets, per service". */
function section(name: string): string {
  const start = doc.search(new RegExp(`^### ${name} \\(`, 'm'));
  if (start < 0) return '';
  const rest = doc.slice(start + 4);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('docs/deploy.md', () => {
  test('names, per service, every variable the service refuses to start without in production', () => {
    assert.deepEqual(SERVICES.api.sort(), [
      'DATABASE_URL',
      'PAYMENT_WEBHOOK_SECRET',
      'SERVICE_ROLE_KEY',
      'SUPABASE_JWT_SECRET',
    ]);
    assert.deepEqual(SERVICES.worker, [], 'the worker needs no secret');
    for (const [name, required] of Object.entries(SERVICES)) {
      const text = section(name);
      assert.notEqual(text, '', `a "### ${name} (…)" section`);
      const missing = required.filter((v) => !text.includes(`\`${v}\``));
      assert.deepEqual(missing, [], `add these to the ${name} secrets in docs/deploy.md`);
    }
  });

  test('every `flyctl secrets set` and `vercel env add` sets only variables that service reads', () => {
    const sets = [...doc.matchAll(/flyctl secrets set --app (\S+) --stage \\\n((?:\s+[A-Z_]+=.*\n)+)/g)];
    assert.equal(sets.length, 3, 'api, orchestrator and cron');
    const appOf: Record<string, string> = {
      'trader-infra-api': 'api',
      'trader-ml-orchestrator': 'orchestrator',
      'trader-infra-cron': 'cron',
    };
    for (const [, app, body] of sets) {
      const service = appOf[app as string] as string;
      const names = [...(body as string).matchAll(/^\s+([A-Z_]+)=/gm)].map((m) => m[1] as string);
      const unknown = names.filter((n) => !declaredEnv(service).includes(n));
      assert.deepEqual(unknown, [], `${app} does not read these`);
      assert.deepEqual(
        SERVICES[service as keyof typeof SERVICES].filter((v) => !names.includes(v)),
        [],
        `${app}: the Day 1-2 commands set every required secret`,
      );
    }
    const vercel =
      /for v in ([A-Z_ \\\n]+); do/
        .exec(doc)?.[1]
        ?.split(/[\s\\]+/)
        .filter(Boolean) ?? [];
    assert.ok(vercel.length > 5);
    assert.deepEqual(
      vercel.filter((v) => !declaredEnv('web').includes(v)),
      [],
    );
    assert.deepEqual(
      SERVICES.web.filter((v) => !vercel.includes(v)),
      [],
    );
  });

  test('every service that takes the service key refuses an example one in production, naming it', () => {
    const required = { DATABASE_URL: 'postgres://u@db:5432/x', NODE_ENV: 'production' };
    const generated = 'q8Zt1mV0rXo3nK7wJc5bYh2sLd9fGe4uPa6iTzQyWx';
    for (const parse of [loadOrchestratorEnv, loadCronEnv]) {
      assert.throws(
        () => parse({ ...required, SERVICE_ROLE_KEY: 'dev-key-'.padEnd(40, 'x') }),
        /SERVICE_ROLE_KEY: looks like an example value .*refused when NODE_ENV=production/,
      );
      assert.doesNotThrow(() => parse({ ...required, SERVICE_ROLE_KEY: generated }));
    }
  });

  test('every deploy command names a file that exists', () => {
    const configs = [...doc.matchAll(/--config (deploy\/fly\.\w+\.toml)/g)].map((m) => m[1] as string);
    assert.ok(configs.length >= 4);
    for (const file of configs) assert.ok(existsSync(`${root}${file}`), file);
  });
});
