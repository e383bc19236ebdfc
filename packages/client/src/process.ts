import type { Logger } from './logger';

/**
 * The end of a service's `main.ts`: on the first SIGINT or SIGTERM (Ctrl-C, Fly stopping a machine) run `stop` once,
 * then exit 0, or 1 when it failed; a second signal while stopping is ignored so the stop can finish.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger, what = 'stopping'): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, what);
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err: (err as Error).message }, 'unclean stop');
          process.exit(1);
        },
      );
    });
  }
}
