// `npm run bench -- <name> [args…]` runs bench/<name>.ts. Each benchmark prints its table and writes its own
// section of BENCHMARKS.md (see writeSection in ./report.ts).
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f) && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
process.argv = [process.argv[0] ?? 'node', `${dir}${name}.ts`, ...rest];
await import(pathToFileURL(`${dir}${name}.ts`).href);
