import type { ErrorCode, ErrorDetail } from '@neuronetiq/contracts';
import { HTTP_STATUS_BY_ERROR_CODE } from '@neuronetiq/contracts';

/** The one error type handlers and use cases throw; the error handler turns it into the contract's error body. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    options: { message: string; details?: ErrorDetail[]; cause?: unknown; headers?: Record<string, string> },
  ) {
    super(options.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = HTTP_STATUS_BY_ERROR_CODE[code];
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const validationError = (message: string, details: ErrorDetail[]) =>
  new AppError('VALIDATION_ERROR', { message, details });
