import { JSON_DEPTH_MAX, jsonTextDepth } from '@neuronetiq/contracts';
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
    void parse(request, text, done);
  });
}
