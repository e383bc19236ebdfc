import { zodIssuesToDetails } from '@neuronetiq/contracts';
import type { z } from 'zod';
import { validationError } from '../errors';

/** Parses `input` with `schema` or throws a 400 VALIDATION_ERROR naming every offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = zodIssuesToDetails(result.error, input);
  const first = details[0];
  const summary = first ? `${first.path || what}: ${first.message}` : 'invalid';
  throw validationError(
    `${what} is invalid (${summary}${details.length > 1 ? `, and ${details.length - 1} more` : ''})`,
    details,
  );
}
