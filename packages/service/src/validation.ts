import { type ErrorDetail, findUnstorable, zodIssuesToDetails } from '@neuronetiq/contracts';
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { z } from 'zod';
import { validationError } from './app-error';
import { storableBodies } from './json-body';

/**
 * Parses `input` with `schema` or throws a 400 VALIDATION_ERROR naming every offending field. Text PostgreSQL cannot
 * store (NUL, unpaired surrogates) anywhere in `input`, keys included, and nesting past `JSON_DEPTH_MAX` are refused
 * first, whatever the schema (contracts' `findUnstorable`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const unstorable = findUnstorable(input);
  if (unstorable.length > 0) throw invalid(what, unstorable);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(what, zodIssuesToDetails(result.error, input));
}

function invalid(what: string, details: ErrorDetail[]) {
  const first = details[0];
  const summary = first ? `${first.path || what}: ${first.message}` : 'invalid';
  return validationError(
    `${what} is invalid (${summary}${details.length > 1 ? `, and ${details.length - 1} more` : ''})`,
    details,
  );
}

// Fastify's names for the request parts, and ours in messages; header paths keep their part (`headers.idempotency-key`)
// because a bare header name reads like a body field.
const PART: Record<string, { what: string; prefix: string[] }> = {
  body: { what: 'body', prefix: [] },
  querystring: { what: 'query', prefix: [] },
  params: { what: 'path', prefix: [] },
  headers: { what: 'headers', prefix: ['headers'] },
};

/**
 * Validates a route's declared zod schemas with the contracts' messages: a failure is an AppError (400, every field
 * named), which Fastify hands to the error handler as it is. The parsed value (defaults, coercions) replaces the input.
 * Before any schema, every string of the part (body, query, path, headers; object keys included) is checked for what
 * PostgreSQL cannot store, and its nesting for depth: one rule for every field of every route, none to forget (a JSON
 * body whose text already showed it clean, see ./json-body.ts, is not walked again).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const { what, prefix } = PART[httpPart ?? 'body'] ?? { what: httpPart ?? 'body', prefix: [] };
  return (data) => {
    // Fastify passes null for an absent body; the schemas speak of undefined.
    const input = data ?? undefined;
    const checked = httpPart === 'body' && typeof input === 'object' && input !== null && storableBodies.has(input);
    const unstorable = checked ? [] : findUnstorable(input, { prefix });
    if (unstorable.length > 0) return { error: invalid(what, unstorable) };
    const result = schema.safeParse(input);
    return result.success
      ? { value: result.data }
      : { error: invalid(what, zodIssuesToDetails(result.error, input, prefix)) };
  };
};

/**
 * Response schemas document and type what a route sends (the compiler checks `reply.send`); at run time the body is
 * serialised as it is, without a second validation of what the handler built from validated rows.
 */
export const jsonSerializerCompiler: FastifySerializerCompiler<z.ZodType> = () => (data) => JSON.stringify(data);
