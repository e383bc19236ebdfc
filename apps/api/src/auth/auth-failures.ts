import { AppError } from '../errors';

/**
 * Failed authentications (answers 401) per client address, in a fixed one-minute window, in this process. An address
 * at its limit is answered 429 before its credentials are looked at or its body is read, until the window ends.
 * Memory is bounded: the table is cleared when it holds `maxAddresses` (a flood of addresses forgets, never grows).
 */
export function createAuthFailureLimiter(options: { perMinute: number; now: () => number; maxAddresses?: number }) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const maxAddresses = options.maxAddresses ?? 100_000;
  return {
    /** Throws the 429 when `address` has failed too often in its current window. */
    check(address: string): void {
      const w = windows.get(address);
      if (!w) return;
      const now = options.now();
      if (w.resetAt <= now) {
        windows.delete(address);
        return;
      }
      if (w.count >= options.perMinute) {
        const retryAfter = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
        throw new AppError('RATE_LIMITED', {
          message: `too many failed authentications from this address (${options.perMinute} a minute); retry after ${retryAfter} s with valid credentials`,
          headers: { 'retry-after': String(retryAfter) },
        });
      }
    },
    /** Counts one failed authentication of `address`. */
    fail(address: string): void {
      const now = options.now();
      const w = windows.get(address);
      if (w && w.resetAt > now) {
        w.count += 1;
        return;
      }
      if (windows.size >= maxAddresses) windows.clear();
      windows.set(address, { count: 1, resetAt: now + 60_000 });
    },
  };
}
