import type { DestinationStream, LoggerOptions } from 'pino';

/** The api's pino options: JSON lines with the request id; credentials and cookies never written. */
export function apiLoggerOptions(
  level: string,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
      censor: '[redacted]',
    },
    ...(stream ? { stream } : {}),
  };
}
