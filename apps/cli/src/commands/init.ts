import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../context';
import { pythonStarter } from '../init/python-template';
import { typescriptStarter } from '../init/typescript-template';
import { CliError } from '../output';

// The published mp carries the tarballs of @neuronetiq/contracts and @neuronetiq/indicators (vendor/ beside its
// bundle) until they are on the npm registry; a starter depends on copies of them.
const VENDOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vendor');
const PACKAGE_VERSIONS = { contracts: '0.16.4', indicators: '0.1.0' } as const;

function vendorSpec(project: string, name: 'contracts' | 'indicators'): string {
  const tarball = existsSync(VENDOR_DIR)
    ? readdirSync(VENDOR_DIR).find((f) => f.startsWith(`neuronetiq-${name}-`) && f.endsWith('.tgz'))
    : undefined;
  if (!tarball) return `^${PACKAGE_VERSIONS[name]}`;
  mkdirSync(join(project, 'vendor'), { recursive: true });
  copyFileSync(join(VENDOR_DIR, tarball), join(project, 'vendor', tarball));
  return `file:vendor/${tarball}`;
}

/** `mp init <dir>`: a starter model project (TypeScript, or one Python file with --python). */
export async function init(
  ctx: Context,
  o: { dir: string; python?: boolean; model?: string; symbol: string; tf: string },
): Promise<void> {
  const project = resolve(o.dir);
  if (existsSync(project) && readdirSync(project).length > 0) {
    throw new CliError(`${o.dir} exists and is not empty; choose a new folder name`);
  }
  const modelId =
    o.model ??
    basename(project)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .slice(0, 64);
  if (!/^[a-z0-9_-]{1,64}$/.test(modelId)) {
    throw new CliError(`"${modelId}" is not a model id (1-64 of a-z 0-9 - _); pass --model <id>`, 2);
  }
  mkdirSync(project, { recursive: true });
  const files = o.python
    ? pythonStarter({ modelId, symbol: o.symbol, timeframe: o.tf })
    : typescriptStarter({
        modelId,
        symbol: o.symbol,
        timeframe: o.tf,
        contractsSpec: vendorSpec(project, 'contracts'),
        indicatorsSpec: vendorSpec(project, 'indicators'),
      });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(project, name)), { recursive: true });
    writeFileSync(join(project, name), content);
  }
  if (o.python) chmodSync(join(project, 'model.py'), 0o755);
  ctx.out.data({
    dir: project,
    model_id: modelId,
    language: o.python ? 'python' : 'typescript',
    files: Object.keys(files),
  });
  ctx.out.say(
    `${ctx.out.green('✓')} Created ${o.python ? 'a Python' : 'a TypeScript'} starter model "${modelId}" in ${o.dir}`,
  );
  ctx.out.say('');
  ctx.out.say(`  mp models create ${modelId} --name "…"   # once, if you have not registered it`);
  ctx.out.say(`  cd ${o.dir}`);
  ctx.out.say(o.python ? '  python3 model.py --once' : '  npm install && npm start -- --once');
}
