import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The variables an app's env.ts schema declares: its `NAME: z…` / `NAME: helper(…)` keys. Each app's env.ts is the
 * only reader of process.env, so this is the truth the docs and deploy files are checked against.
 */
export function declaredEnv(app: string): string[] {
  const source = readFileSync(`${root}apps/${app}/src/env.ts`, 'utf8');
  // `NAME: …` keys, and `NAME,` shorthands of a schema declared above the object (the web app's WEB_URL).
  return [...new Set([...source.matchAll(/^\s+([A-Z][A-Z0-9_]{2,})(?:: |,$)/gm)].map((m) => m[1] as string))];
}
