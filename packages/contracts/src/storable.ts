// What PostgreSQL cannot store, decided once for every boundary: NUL (U+0000) has no place in `text` or `jsonb`, and
// an unpaired UTF-16 surrogate is not Unicode (it cannot be encoded as UTF-8). Both are the client's mistake: a 400
// naming the field, never a 500 from the database. Deep nesting is refused the same way, by loops rather than recursion
// so that no input can overflow the stack. Services apply `findUnstorable` to every body, query, path and header
// before their schemas (`@neuronetiq/service`'s validator), so no string field of any schema can be forgotten.
import type { ErrorDetail } from './errors';

/** Deepest nesting of objects and arrays in any JSON body (the body itself is level 1). */
export const JSON_DEPTH_MAX = 64;
/** Deepest nesting inside `meta` (the `meta` object itself is level 1). */
export const META_DEPTH_MAX = 16;

export const UNSTORABLE_TEXT_MESSAGE =
  'must be text without NUL characters (\\u0000) or unpaired UTF-16 surrogates; they cannot be stored';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when PostgreSQL can store `s` as text: no NUL character, no unpaired surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

export interface FindUnstorableOptions {
  /** Deepest nesting allowed (the value itself is level 1); default `JSON_DEPTH_MAX`. */
  maxDepth?: number;
  /** Path of `value` in the request (`['headers']`, `['signals', 3, 'meta']`). */
  prefix?: ReadonlyArray<PropertyKey>;
  /** Stop after this many findings (default 10): an answer names a few, not thousands. */
  limit?: number;
}

/**
 * Every string (object keys included) of `value` that PostgreSQL cannot store, and every container nested deeper than
 * `maxDepth`, as `{ path, message }` details; empty when all is well. Iterative: safe on any depth.
 */
export function findUnstorable(value: unknown, options: FindUnstorableOptions = {}): ErrorDetail[] {
  const maxDepth = options.maxDepth ?? JSON_DEPTH_MAX;
  const limit = options.limit ?? 10;
  const prefix = options.prefix ?? [];
  const found: ErrorDetail[] = [];
  // Each node keeps its key and parent; a path is spelled out only for a finding.
  const pathOf = (node: Node | undefined): string => {
    const keys: PropertyKey[] = [];
    for (let n = node; n?.parent !== undefined; n = n.parent) keys.push(n.key);
    return [...prefix, ...keys.reverse()].join('.');
  };
  const stack: Node[] = [{ value, key: '', parent: undefined, depth: 1 }];
  while (stack.length > 0 && found.length < limit) {
    const node = stack.pop() as Node;
    const v = node.value;
    if (typeof v === 'string') {
      if (!isStorableText(v)) found.push({ path: pathOf(node), message: UNSTORABLE_TEXT_MESSAGE });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (node.depth > maxDepth) {
      found.push({
        path: pathOf(node),
        message: `nests objects and arrays more than ${maxDepth} levels deep; flatten it`,
      });
      continue;
    }
    const depth = node.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node, depth });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      if (!isStorableText(key)) {
        found.push({
          path: pathOf(node),
          message: `has the key ${JSON.stringify(key).slice(0, 60)}: keys ${UNSTORABLE_TEXT_MESSAGE}`,
        });
        continue;
      }
      stack.push({ value: (v as Record<string, unknown>)[key], key, parent: node, depth });
    }
  }
  return found;
}

interface Node {
  value: unknown;
  key: PropertyKey;
  parent: Node | undefined;
  depth: number;
}

// What in a JSON text can become text PostgreSQL cannot store once parsed: a \u0000 or a surrogate escape, or a raw NUL
// or surrogate (a pair counts too: a false alarm only means the parsed value is walked).
const MAY_BE_UNSTORABLE = /\\u(?:0000|[dD][89a-fA-F])|[\uD800-\uDFFF]/;

/**
 * False when no string parsed from the JSON text `text` (keys included) can hold a NUL or a lone surrogate: JSON
 * strings hold control characters and surrogates only as escapes or as themselves, so a text with neither spares the
 * walk of `findUnstorable` over what it parses to (a regular-expression pass instead of an object per value).
 */
export function jsonTextMayBeUnstorable(text: string): boolean {
  return text.includes('\u0000') || MAY_BE_UNSTORABLE.test(text);
}

/**
 * Nesting depth of the JSON text `text` (`{}` and `[]` are 1, `[[1]]` is 2), measured on the text itself before
 * anything is parsed, so a body of a million `[` costs one pass over its characters. Stops counting past `stopAbove`.
 */
export function jsonTextDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
