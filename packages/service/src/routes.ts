import type { ErrorCode } from '@neuronetiq/contracts';
import { ErrorResponseSchema, HTTP_STATUS_BY_ERROR_CODE } from '@neuronetiq/contracts';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { jsonSerializerCompiler, zodValidatorCompiler } from './validation';

/** A Fastify instance whose routes declare zod schemas: handlers get the parsed types, replies are checked. */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Installs the zod validator and serializer and returns the app typed by its route schemas. */
export function withSchemas(app: FastifyInstance): ServiceApp {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  return app.withTypeProvider<ZodTypeProvider>();
}

/** A 204: nothing in the body. */
export const NoContent = (description: string) => z.null().describe(description);

/** What every route may answer besides its own errors: a bad request, a refused principal, the rate limit, a fault. */
const EVERY_ROUTE: ErrorCode[] = ['VALIDATION_ERROR', 'CONTRACT_VERSION_UNSUPPORTED', 'RATE_LIMITED', 'INTERNAL_ERROR'];

/**
 * Response schemas of the error statuses a route answers with, from the contracts' code → status table (codes that
 * share a status are listed together in its description). Every route answers with `EVERY_ROUTE`'s codes too.
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, z.ZodType> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...EVERY_ROUTE, ...codes]) {
    const status = HTTP_STATUS_BY_ERROR_CODE[code];
    const listed = byStatus.get(status) ?? [];
    if (!listed.includes(code)) listed.push(code);
    byStatus.set(status, listed);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, listed]) => [status, ErrorResponseSchema.describe(listed.join(' or '))]),
  );
}
