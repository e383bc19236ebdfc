import type { ApiClient, Logger } from '@neuronetiq/client';
import type { OhlcvBar } from '@neuronetiq/contracts';
import type { CronMetrics } from '../metrics';

const CHUNK = 5_000;
// Beyond this many unposted bars (an api down for days on 1m bars) the oldest are dropped, loudly.
const MAX_PENDING = 200_000;

/**
 * Posts bars to the api in order, in chunks, one request at a time. A failed post keeps the bars and tries again
 * on the next push or flush, so a short api outage delays bars instead of losing them.
 */
export function createBarPoster(
  api: Pick<ApiClient, 'upsertBars'>,
  source: string,
  deps: { logger: Logger; metrics: CronMetrics },
) {
  const pending: OhlcvBar[] = [];
  let running: Promise<void> = Promise.resolve();

  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const chunk = pending.slice(0, CHUNK);
      try {
        await api.upsertBars(chunk);
      } catch (err) {
        deps.metrics.ingestFailures.inc({ source });
        deps.logger.warn({ source, bars: pending.length, err: (err as Error).message }, 'bar post failed; kept');
        return;
      }
      pending.splice(0, chunk.length);
      deps.metrics.ingestedBars.inc({ source }, chunk.length);
    }
  }

  return {
    /** Queues bars and posts everything queued; resolves when this post attempt is over. */
    push(bars: readonly OhlcvBar[]): Promise<void> {
      pending.push(...bars);
      if (pending.length > MAX_PENDING) {
        const dropped = pending.splice(0, pending.length - MAX_PENDING);
        deps.logger.error({ source, dropped: dropped.length }, 'too many unposted bars; dropped the oldest');
      }
      running = running.then(drain);
      return running;
    },
    flush(): Promise<void> {
      running = running.then(drain);
      return running;
    },
    get pending() {
      return pending.length;
    },
  };
}
