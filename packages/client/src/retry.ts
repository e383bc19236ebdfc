// How long to wait before another try, and the retry loop. Used by the orchestrator (immediate retries of a call) and
// by the cron (outbox re-delivery), so both sides agree on what "transient" means (see ./errors).
import { classifyFailure, HttpError } from './errors';

export interface BackoffPolicy {
  /** Delay before the first retry (before jitter). */
  baseMs: number;
  /** Cap of the exponential growth. */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): `min(maxMs, baseMs · 2^(attempt-1))`, of which a
 * random half is kept ("equal jitter"): always at least half the step, so retries back off, and never in lockstep
 * with another instance.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export interface RetryPolicy extends BackoffPolicy {
  /** Tries in total, the first included (1 = no retry). */
  attempts: number;
}

export interface RetryDeps {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each retry, e.g. to count or log it. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` until it succeeds, a failure is not `retry`-class, or the attempts are spent; throws the last error. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps = {},
): Promise<T> {
  const sleep = deps.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || classifyFailure(err) !== 'retry') throw err;
      const hinted = err instanceof HttpError ? (err.retryAfterMs ?? 0) : 0;
      const delay = Math.min(policy.maxMs, Math.max(hinted, backoffDelayMs(attempt, policy, deps.random)));
      deps.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
