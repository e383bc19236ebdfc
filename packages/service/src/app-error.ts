import { type ErrorCode, type ErrorDetail, HTTP_STATUS_BY_ERROR_CODE } from '@neuronetiq/contracts';

export interface AppErrorOptions {
  message: string;
  details?: ErrorDetail[];
  cause?: unknown;
  /** Sent with the error (`retry-after`, `www-authenticate`). */
  headers?: Record<string, string>;
}

/**
 * The one error type services throw; the error handler turns it into the contracts' error body. `statusCode` is
 * Fastify's name for it, so an AppError returned by a schema validator keeps its status.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = HTTP_STATUS_BY_ERROR_CODE[code];
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const validationError = (message: string, details: ErrorDetail[]) =>
  new AppError('VALIDATION_ERROR', { message, details });
