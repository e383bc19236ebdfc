import { type ErrorCode, type ErrorDetail, HTTP_STATUS_BY_ERROR_CODE } from '@neuronetiq/contracts';

/** An error the client can act on; the error handler serialises it in the contracts' error shape. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  readonly statusCode: number;

  constructor(code: ErrorCode, options: { message: string; details?: ErrorDetail[]; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.statusCode = HTTP_STATUS_BY_ERROR_CODE[code];
  }
}
