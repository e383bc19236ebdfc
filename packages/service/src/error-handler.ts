import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode, ErrorResponse } from '@neuronetiq/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';

export interface ErrorHandlingOptions {
  /** The body limit the server was built with, quoted in the 413 message. */
  bodyLimitBytes: number;
  /** What to do about a too-large body, appended to the 413 message (`split it into batches of 1,000`). */
  bodyLimitHint?: string;
  /** A service's own mapping of foreign errors (a lost database is 503); undefined falls through to the defaults. */
  mapError?: (error: unknown) => AppError | undefined;
  /** Called once per error response (metrics). */
  onError?: (error: AppError, request: FastifyRequest) => void;
  /** Most bytes of a too-large body read (and dropped) before its 413 is sent; default max(16 MiB, 4 × the limit). */
  drainCapBytes?: number;
  /** Longest wait for the rest of a too-large body before its 413 is sent anyway; default 10 s. */
  drainTimeoutMs?: number;
}

/**
 * The one place errors become responses, all in the contracts' error shape: AppErrors as they are, Fastify's own
 * FST_ERR_* client errors by code, anything else a 500 that carries no internals (logged with its cause).
 */
export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error, options);
    if (appError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (appError.code === 'PAYLOAD_TOO_LARGE' && !request.raw.complete) {
      // Answering while the client still sends, and then closing, resets the connection (unread data makes the
      // kernel send RST) and the client reads EPIPE or ECONNRESET instead of the 413. So the rest of the body is read
      // and dropped first, up to a cap in bytes and time, and the 413 goes out once the client has finished sending.
      const cap = options.drainCapBytes ?? Math.max(DRAIN_CAP_BYTES, 4 * options.bodyLimitBytes);
      return drainRequest(request.raw, cap, options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS).then(() => {
        sendError(request, reply, appError, options);
      });
    }
    return sendError(request, reply, appError, options);
  });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((method) =>
      app.hasRoute({ method, url }),
    );
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        request,
        reply,
        new AppError('METHOD_NOT_ALLOWED', {
          message: `${request.method} ${url} is not allowed; use ${allowed.join(' or ')}`,
        }),
        options,
      );
    }
    return sendError(
      request,
      reply,
      new AppError('NOT_FOUND', { message: `no route ${request.method} ${url}; see /docs` }),
      options,
    );
  });
}

const DRAIN_CAP_BYTES = 16 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 10_000;

/** Reads and drops what is left of a request body; resolves at its end, or after `capBytes` more or `timeoutMs`. */
function drainRequest(raw: IncomingMessage, capBytes: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (raw.complete || raw.destroyed) return resolve();
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > capBytes) done();
    };
    const timer = setTimeout(done, timeoutMs);
    raw.on('data', onData);
    raw.on('end', done);
    raw.on('close', done);
    raw.on('error', done);
    raw.resume();
  });
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
  options: Pick<ErrorHandlingOptions, 'onError'> = {},
): FastifyReply {
  options.onError?.(error, request);
  if (error.headers) reply.headers(error.headers);
  const body: ErrorResponse = {
    success: false,
    error: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
    request_id: String(request.id),
  };
  return reply.code(error.statusCode).send(body);
}

/** Maps anything thrown to the contract's error; only AppErrors and Fastify's client errors keep their message. */
export function toAppError(error: unknown, options: ErrorHandlingOptions): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', {
        message: `request body exceeds the limit of ${options.bodyLimitBytes} bytes${options.bodyLimitHint ? ` (${options.bodyLimitHint})` : ''}`,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { message: 'send the body as Content-Type: application/json' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('VALIDATION_ERROR', {
        message: 'request body is empty; send a JSON object',
        details: [{ path: '', message: 'is required' }],
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('VALIDATION_ERROR', {
        message: `request body is not valid JSON (${e.message ?? ''})`,
        details: [{ path: '', message: 'must be valid JSON' }],
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('VALIDATION_ERROR', {
        message: 'Content-Length does not match the body; send the body as it is',
        details: [{ path: 'headers.content-length', message: 'must be the length of the body' }],
      });
    case 'FST_ERR_BAD_URL':
      return new AppError('VALIDATION_ERROR', { message: 'the URL is malformed; percent-encode it' });
  }
  if (error instanceof SyntaxError && e.statusCode === 400) {
    return new AppError('VALIDATION_ERROR', {
      message: 'request body is not valid JSON',
      details: [{ path: '', message: 'must be valid JSON' }],
    });
  }
  const mapped = options.mapError?.(error);
  if (mapped) return mapped;
  if (e.statusCode === 404) return new AppError('NOT_FOUND', { message: e.message ?? 'not found' });
  if (e.statusCode === 405) return new AppError('METHOD_NOT_ALLOWED', { message: e.message ?? 'method not allowed' });
  if (e.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', { message: e.message ?? 'payload too large' });
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError('VALIDATION_ERROR', { message: e.message ?? 'bad request' });
  }
  return new AppError('INTERNAL_ERROR', {
    message: 'internal error; quote the request_id when reporting it',
    cause: error,
  });
}

const CLIENT_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'HEADERS_TOO_LARGE',
    message: 'request headers exceed the server limit; send fewer or shorter headers',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'the request took too long to arrive; send it again' },
};

/**
 * Fastify's `clientErrorHandler`: errors Node's HTTP parser raises before there is a request (headers over the limit:
 * 431, a request that arrived too slowly: 408, a malformed one: 400), written in the contracts' error shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''];
  const appError = new AppError(known?.code ?? 'VALIDATION_ERROR', {
    message: known?.message ?? 'the request is not valid HTTP',
  });
  const body: ErrorResponse = {
    success: false,
    error: appError.code,
    message: appError.message,
    request_id: randomUUID(),
  };
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appError.statusCode} ${http.STATUS_CODES[appError.statusCode]}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}
