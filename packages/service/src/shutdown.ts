/** The slice of a pino logger the process helpers log with. */
export interface ProcessLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CloseOnSignalsOptions {
  logger: ProcessLogger;
  /** Logged when the first signal arrives (`finishing the cycle in progress`). */
  what?: string;
  /** Exit 1 if `close` has not finished after this many ms (default 10 s: Fly SIGKILLs at kill_timeout, 15 s in deploy/). */
  graceMs?: number;
  /** How the process ends; main.ts passes process.exit (tests pass a spy). */
  exit: (code: number) => void;
  /** The process to listen on (tests pass an EventEmitter). */
  signals?: Pick<NodeJS.Process, 'once'>;
}

/**
 * The end of every service's `main.ts`: on the first SIGINT or SIGTERM run `close` once (in-flight work finishes),
 * then exit 0; exit 1 when it fails or outlasts the grace period. A second signal while closing is ignored.
 */
export function closeOnSignals(close: () => Promise<void>, options: CloseOnSignalsOptions): void {
  const { logger, exit, graceMs = 10_000 } = options;
  const target = options.signals ?? process;
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, options.what ?? 'closing: finishing in-flight work');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'still closing after the grace period; exiting');
      exit(1);
    }, graceMs);
    timer.unref();
    close().then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        logger.error({ err }, 'close failed');
        exit(1);
      },
    );
  };
  target.once('SIGTERM', onSignal);
  target.once('SIGINT', onSignal);
}
