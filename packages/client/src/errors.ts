// What a failed call means. Every client call either resolves with a typed result or throws: an `HttpError` when the
// service answered with a non-2xx status, or what fetch throws when it could not get an answer (refused, reset,
// timeout). `failureKind` sorts both into transient (worth another try) and permanent (fix the request).

/** Transient: the network or the service failed, or asked us to come back. Permanent: the answer is about the request. */
export type FailureKind = 'transient' | 'permanent';

/** A non-2xx answer from one of our services, with the fields of its error body when it had one. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    /** `error` of the service's error body (`VALIDATION_ERROR`, `SIGNAL_IMMUTABLE`, …), if any. */
    readonly code: string | undefined,
    message: string,
    /** `Retry-After` in milliseconds, when the service sent one. */
    readonly retryAfterMs?: number,
    /** `details` of the error body: which fields were wrong. */
    readonly details?: readonly { path: string; message: string }[],
  ) {
    super(message);
  }

  get kind(): FailureKind {
    return failureKind(this);
  }
}

/**
 * `transient`: connection refused/reset, timeout, an unreadable answer, 5xx, 408, 429, 409 IDEMPOTENCY_KEY_IN_FLIGHT.
 * `permanent`: every other 4xx (validation, refused credentials, SIGNAL_IMMUTABLE, a reused idempotency key, …).
 */
export function failureKind(err: unknown): FailureKind {
  if (!(err instanceof HttpError)) return 'transient';
  if (err.status >= 500 || err.status === 408 || err.status === 429) return 'transient';
  if (err.status === 409 && err.code === 'IDEMPOTENCY_KEY_IN_FLIGHT') return 'transient';
  return 'permanent';
}

/**
 * The delivery policy of the orchestrator and the cron's outbox on top of `failureKind`:
 * - `retry`: transient: try again after a backoff.
 * - `park`: our credentials were refused (401, 403). The item is fine, so it must not be lost, but retrying at once
 *   cannot help: it waits in the outbox until the key is fixed (or until it runs out of attempts).
 * - `reject`: any other permanent failure: retrying can never succeed; dead-letter it and log it once.
 */
export type FailureClass = 'retry' | 'park' | 'reject';

export function classifyFailure(err: unknown): FailureClass {
  if (failureKind(err) === 'transient') return 'retry';
  const status = (err as HttpError).status;
  return status === 401 || status === 403 ? 'park' : 'reject';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** True when no answer came (network, timeout), as opposed to an answer of the service, even a 5xx. */
export function isNetworkError(err: unknown): boolean {
  if (err instanceof HttpError) return false;
  const e = err as { name?: string; code?: string; cause?: { code?: string } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return true;
  return NETWORK_CODES.has(e?.code ?? '') || NETWORK_CODES.has(e?.cause?.code ?? '') || e instanceof TypeError;
}

function indexOf(path: string, field: string): number | undefined {
  const m = new RegExp(`^${field}\\.(\\d+)(\\.|$)`).exec(path);
  return m ? Number(m[1]) : undefined;
}

/**
 * The items of `field` that refused an all-or-nothing batch (a 400, 403 or 422 whose every detail names an item, e.g.
 * `signals.3.bar_ts`), each with its details; undefined for any other failure (the request as a whole was wrong).
 */
export function refusedItems(
  err: unknown,
  field: string,
): Map<number, { path: string; message: string }[]> | undefined {
  if (!(err instanceof HttpError) || ![400, 403, 422].includes(err.status)) return undefined;
  const items = new Map<number, { path: string; message: string }[]>();
  for (const d of err.details ?? []) {
    const i = indexOf(d.path, field);
    if (i === undefined) return undefined;
    items.set(i, [...(items.get(i) ?? []), d]);
  }
  return items.size > 0 ? items : undefined;
}
