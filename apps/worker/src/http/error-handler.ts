import { type ErrorCode, type ErrorResponse, HTTP_STATUS_BY_ERROR_CODE } from '@neuronetiq/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';

/** The one place errors become responses, all in the contracts' error shape; 5xx bodies carry no internals. */
export function installErrorHandling(app: FastifyInstance, limits: { bodyLimitBytes: number }): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = error instanceof AppError ? error : fromFastifyError(error, limits);
    if (appError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    const allowed = (['GET', 'POST'] as const).filter((method) => app.hasRoute({ method, url }));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        request,
        reply,
        new AppError('METHOD_NOT_ALLOWED', {
          message: `${request.method} ${url} is not allowed; use ${allowed.join(' or ')}`,
        }),
      );
    }
    return sendError(request, reply, new AppError('NOT_FOUND', { message: `No route for ${request.method} ${url}` }));
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const body: ErrorResponse = {
    success: false,
    error: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
    request_id: request.id,
  };
  return reply.status(error.statusCode).send(body);
}

function fromFastifyError(error: FastifyError, limits: { bodyLimitBytes: number }): AppError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const mib = (limits.bodyLimitBytes / 2 ** 20).toFixed(1);
      return new AppError('PAYLOAD_TOO_LARGE', {
        message: `The request body exceeds this worker's limit of ${limits.bodyLimitBytes} bytes (${mib} MiB, WORKER_BODY_LIMIT_BYTES). Send fewer series or bars per request.`,
      });
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', {
        message: 'The body must be JSON: send Content-Type: application/json',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('VALIDATION_ERROR', {
        message: 'The body is empty; send a JSON object',
        details: [{ path: '', message: 'must be a JSON object' }],
      });
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('VALIDATION_ERROR', {
      message: `The body is not valid JSON: ${error.message}`,
      details: [{ path: '', message: 'must be valid JSON' }],
    });
  }
  const status = error.statusCode ?? 500;
  if (status >= 500)
    return new AppError('INTERNAL_ERROR', { message: 'Internal error; quote the request id when reporting it' });
  const code = (Object.entries(HTTP_STATUS_BY_ERROR_CODE).find(([, s]) => s === status)?.[0] ??
    'VALIDATION_ERROR') as ErrorCode;
  return new AppError(code, { message: error.message });
}
