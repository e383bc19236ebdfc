import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, DestinationStream, LoggerOptions } from 'pino';

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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Pino = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/** A request's logger whose pino child is made on the first enabled call (see `lazyChildLogger`). */
class LazyChild {
  #child: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: Pino,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}
  #real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.opts);
    return this.#child;
  }
  #log(level: Level, args: unknown[]): void {
    if (this.#child || this.parent.isLevelEnabled(level)) (this.#real()[level] as (...a: unknown[]) => void)(...args);
  }
  get level(): string {
    return (this.#child ?? this.parent).level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, opts);
  }
  fatal(...args: unknown[]) {
    this.#log('fatal', args);
  }
  error(...args: unknown[]) {
    this.#log('error', args);
  }
  warn(...args: unknown[]) {
    this.#log('warn', args);
  }
  info(...args: unknown[]) {
    this.#log('info', args);
  }
  debug(...args: unknown[]) {
    this.#log('debug', args);
  }
  trace(...args: unknown[]) {
    this.#log('trace', args);
  }
  silent() {}
}

/**
 * Fastify's `childLoggerFactory`: a request's logger (`request.log`, with its `reqId`) makes its pino child only when
 * the request logs something at an enabled level. Fastify made one for every request, serialising its bindings: 7% of
 * the api's CPU per single-signal store (a profile under `npm run bench -- ingest`) at the default `warn` level, where
 * most requests log nothing. A route with its own level or serializers gets its child at once.
 */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  opts: ChildLoggerOptions,
): FastifyBaseLogger {
  const pino = logger as Partial<Pino>;
  if (typeof pino.isLevelEnabled !== 'function' || opts.level !== undefined || opts.serializers !== undefined) {
    return logger.child(bindings, opts);
  }
  return new LazyChild(pino as Pino, bindings, opts) as unknown as FastifyBaseLogger;
}
