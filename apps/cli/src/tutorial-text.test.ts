// The tutorial's prose names buttons and fields of the web app a reader has to find: they must be the ones the pages
// show (tutorial.long.test.ts runs its commands; this checks the words around the browser steps).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

test('every quoted label of the tutorial’s sign-in step is on the login page', () => {
  const tutorial = read('docs/tutorial.md');
  const step = tutorial.slice(tutorial.indexOf('## 3. '), tutorial.indexOf('## 4. '));
  const quoted = [...step.matchAll(/"([^"\n]+)"/g)].map((m) => m[1] as string);
  assert.ok(quoted.length > 0, 'the step names what to press');
  const login =
    read('apps/web/src/app/marketplace/login/page.tsx') + read('apps/web/src/app/marketplace/login/sign-in-forms.tsx');
  const missing = quoted.filter((label) => !login.includes(label));
  assert.deepEqual(missing, [], 'labels the reader would look for in vain');
});
