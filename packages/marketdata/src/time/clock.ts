/** Time as the feeds see it, injectable so tests drive it by hand. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` (at once for ms <= 0), or early, without throwing, when `signal` aborts. */
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

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, waking each sleeper at its own time, in order, and letting it run before the next. */
  advance(ms: number): Promise<void>;
  /** Sleepers not yet woken. */
  readonly pendingSleepers: number;
}

/** A clock that only moves when told to. */
export function createFakeClock(startMs: number): FakeClock {
  let now = startMs;
  let seq = 0;
  const sleepers: Array<{ at: number; seq: number; wake: () => void }> = [];
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
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
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = sleepers[0];
        if (next === undefined || next.at > target) break;
        sleepers.shift();
        now = Math.max(now, next.at);
        next.wake();
        await settle();
      }
      now = target;
      await settle();
    },
    get pendingSleepers() {
      return sleepers.length;
    },
  };
}
