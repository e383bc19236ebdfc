// Time is a dependency: the scheduler, leader leases and drain loops read it here, so tests drive them with a
// manual clock instead of waiting for real bar closes.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (at once when `ms` <= 0); rejects with an AbortError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(): Error {
  return Object.assign(new Error('sleep aborted'), { name: 'AbortError' });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

export interface ManualClock extends Clock {
  /** Moves time forward to `ms`, waking every sleeper due by then in deadline order. */
  advanceTo(ms: number): Promise<void>;
  advance(ms: number): Promise<void>;
  /** Deadlines of the sleepers still waiting, soonest first. */
  pending(): number[];
}

/** A clock that only moves when told to; sleepers wake in deadline order with the event loop drained in between. */
export function createManualClock(startMs: number): ManualClock {
  let now = startMs;
  let seq = 0;
  const sleepers: { at: number; seq: number; wake: () => void }[] = [];
  const flush = () => new Promise<void>((r) => setImmediate(r));

  const clock: ManualClock = {
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(abortError());
      if (ms <= 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
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
          reject(abortError());
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
