import { JSON_DEPTH_MAX, jsonTextDepth, jsonTextMayBeUnstorable } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import { validationError } from './app-error';

/**
 * Fastify's JSON body parser (prototype poisoning refused, as by default) behind a nesting check on the text itself:
 * a body nested deeper than `maxDepth` (default `JSON_DEPTH_MAX`, 64) is a 400 before anything is parsed into objects,
 * so a megabyte of `[[[[…` costs a scan of its first characters, not a parse.
 */
export function installJsonBodyParser(app: FastifyInstance, options: { maxDepth?: number } = {}): void {
  const maxDepth = options.maxDepth ?? JSON_DEPTH_MAX;
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonTextDepth(text, maxDepth) > maxDepth) {
      done(
        validationError(`request body nests objects and arrays more than ${maxDepth} levels deep; flatten it`, [
          { path: '', message: `must nest at most ${maxDepth} levels deep` },
        ]),
        undefined,
      );
      return;
    }
    // A body whose text can hold no NUL and no lone surrogate, and that is nested no deeper than the validators allow,
    // is known storable: the validator skips its walk of the parsed value (see ./validation.ts).
    const storable = maxDepth <= JSON_DEPTH_MAX && !jsonTextMayBeUnstorable(text);
    void parse(request, text, (err, body) => {
      if (!err && storable && typeof body === 'object' && body !== null) storableBodies.add(body);
      done(err, body);
    });
  });
}

/** Parsed JSON bodies whose text showed that `findUnstorable` would find nothing in them. */
export const storableBodies = new WeakSet<object>();
