// README.md's configuration tables and .env.example promise "every environment variable, with its default". Each
// app's env.ts is the only reader of process.env, so the variables its schema names are the truth; this keeps the two
// documents from drifting when a variable is added.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { declaredEnv } from './support/env-vars';

const root = fileURLToPath(new URL('..', import.meta.url));
const APPS = ['api', 'worker', 'orchestrator', 'cron', 'cli', 'web'] as const;
const readme = readFileSync(`${root}README.md`, 'utf8');
const example = readFileSync(`${root}.env.example`, 'utf8');

/** A `# ---- <name> …` block of .env.example, up to the next one. */
function exampleSection(name: string): string {
  const start = example.indexOf(`# ---- ${name}`);
  if (start < 0) return '';
  const end = example.indexOf('# ---- ', start + 1);
  return example.slice(start, end < 0 ? undefined : end);
}

/** The README's section of an app (from its heading to the next), plus the shared section. */
function readmeSection(app: string): string {
  const section = (heading: RegExp) => {
    const start = readme.search(heading);
    if (start < 0) return '';
    const rest = readme.slice(readme.indexOf('\n', start) + 1);
    const end = rest.search(/^#{2,3} /m);
    return end < 0 ? rest : rest.slice(0, end);
  };
  return section(/^### shared$/m) + section(new RegExp(`^### ${app} \\(apps/${app}\\)$`, 'm'));
}

for (const app of APPS) {
  test(`every variable apps/${app}/src/env.ts reads is in README.md (its section or shared) and in .env.example`, () => {
    const vars = declaredEnv(app);
    assert.ok(vars.includes('PORT') || app === 'api' || vars.length > 3, `read the schema of ${app}: ${vars}`);
    const section = readmeSection(app);
    assert.notEqual(section, '', `README.md has a "### ${app} (apps/${app})" section`);
    const missingInReadme = vars.filter((v) => !new RegExp(`\`${v}\``).test(section));
    assert.deepEqual(missingInReadme, [], `add these to README.md's ${app} table`);
    // A name that several services read stands commented out (`# PORT=7071`) in all but the first section.
    const block = exampleSection('shared') + exampleSection(`${app} (apps/${app})`);
    const missingInExample = vars.filter((v) => !new RegExp(`^(# )?${v}=`, 'm').test(block));
    assert.deepEqual(missingInExample, [], `add these to the ${app} section of .env.example with their default`);
  });
}
