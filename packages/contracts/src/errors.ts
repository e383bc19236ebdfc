import { z } from 'zod';

/** The closed set of error codes every service answers with. */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_FLIGHT',
  'SIGNAL_IMMUTABLE',
  'BAR_IN_FUTURE',
  'CONTRACT_VERSION_UNSUPPORTED',
  'PAYLOAD_TOO_LARGE',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYMENT_DECLINED',
  'RATE_LIMITED',
  'INSUFFICIENT_BARS',
  'UPSTREAM_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** HTTP status of each error code; a `Record` so that a new code without a status does not compile. */
export const HTTP_STATUS_BY_ERROR_CODE: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  CONTRACT_VERSION_UNSUPPORTED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYMENT_DECLINED: 402,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_IN_FLIGHT: 409,
  SIGNAL_IMMUTABLE: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  BAR_IN_FUTURE: 422,
  INSUFFICIENT_BARS: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  UPSTREAM_UNAVAILABLE: 502,
  SERVICE_UNAVAILABLE: 503,
};

export const ErrorDetailSchema = z.object({
  /** Dotted path of the offending field (`confidence`, `signals.3.bar_ts`); empty for the whole body. */
  path: z.string(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** Body of every error response. */
export const ErrorResponseSchema = z.object({
  success: z.literal(false),
  error: ErrorCodeSchema,
  message: z.string(),
  details: z.array(ErrorDetailSchema).optional(),
  request_id: z.string(),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/**
 * Turns zod issues into `{ path, message }` details, one per offending field (unknown keys named one by one).
 * Pass the parsed `input` so that a missing field is reported as missing rather than as the wrong type.
 */
export function zodIssuesToDetails(
  error: z.ZodError,
  input?: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        details.push({ path: [...base, key].join('.'), message: `unknown field "${key}"; remove it` });
      }
      continue;
    }
    if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
      details.push({ path: base.join('.'), message: `is required: ${issue.message}` });
      continue;
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) {
      details.push({ path: base.join('.'), message: `must be a JSON ${issue.expected}` });
      continue;
    }
    details.push({ path: base.join('.'), message: issue.message });
  }
  return details;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
