// Test support only (not exported): the real market data lives in `<repo>/../shared/data`, which a fresh clone
// does not have; tests that need it skip with a message instead of failing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));

/** Absolute path of a file under shared/data. */
export function sharedData(relative: string): string {
  return root + relative;
}

/** Null when the file is there; otherwise the reason to pass to t.skip(). */
export function missingSharedData(relative: string): string | null {
  return existsSync(sharedData(relative)) ? null : `real data ${relative} is absent (expected at ${root}); skipped`;
}
