import pino from 'pino';

/** The slice of pino the services use; tests pass `silentLogger`. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level });
}

export const silentLogger: Logger = pino({ level: 'silent' });
