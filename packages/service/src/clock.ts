// Time is a dependency: schedulers, leases, feeds and loops read it here, so tests drive them with a manual clock
// instead of waiting. One rule for abort everywhere: a sleep ends early and quietly; loops then check their signal.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (at once when `ms` <= 0), or early, without throwing, when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface ManualClock extends Clock {
  /** Moves time forward to `ms`, waking every sleeper due by then in deadline order, each let run before the next. */
  advanceTo(ms: number): Promise<void>;
  advance(ms: number): Promise<void>;
  /** Deadlines of the sleepers still waiting, soonest first. */
  pending(): number[];
}

/** A clock that only moves when told to. */
export function createManualClock(startMs: number): ManualClock {
  let now = startMs;
  let seq = 0;
  const sleepers: { at: number; seq: number; wake: () => void }[] = [];
  const flush = () => new Promise<void>((r) => setImmediate(r));

  const clock: ManualClock = {
    now: () => now,
    sleep(ms, signal) {
      if (ms <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const entry = {
          at: now + ms,
          seq: seq++,
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const i = sleepers.indexOf(entry);
          if (i >= 0) sleepers.splice(i, 1);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(entry);
      });
    },
    async advanceTo(target) {
      await flush();
      for (;;) {
        sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = sleepers[0];
        if (!next || next.at > target) break;
        sleepers.shift();
        now = Math.max(now, next.at);
        next.wake();
        // Let the woken task run until it sleeps again (or finishes) before the next deadline.
        for (let i = 0; i < 5; i++) await flush();
      }
      now = Math.max(now, target);
      await flush();
    },
    advance: (ms) => clock.advanceTo(now + ms),
    pending: () => sleepers.map((s) => s.at).sort((a, b) => a - b),
  };
  return clock;
}

export interface EveryOptions {
  clock?: Clock;
  /** Stops the loop: the wait in progress ends at once and no further run starts. */
  signal: AbortSignal;
  /** A failed run is reported here and the loop goes on (the job runs again at its next interval). */
  onError: (err: unknown) => void;
  /**
   * Called before each run: the signal it returns cuts the wait after that run short (a NOTIFY that arrives while the
   * run is in progress still wakes the loop).
   */
  wakeEarly?: () => AbortSignal;
}

/**
 * Runs `job` at once and then `intervalMs` after each run ends (runs never overlap) until `signal` aborts. Resolves
 * when the loop has stopped; never rejects.
 */
export async function every(intervalMs: number, job: () => Promise<unknown>, options: EveryOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  while (!signal.aborted) {
    const early = options.wakeEarly?.();
    try {
      await job();
    } catch (err) {
      if (!signal.aborted) options.onError(err);
    }
    if (signal.aborted) break;
    await clock.sleep(intervalMs, early ? AbortSignal.any([signal, early]) : signal);
  }
}
