// Wakes the drain when the orchestrator parks an item (NOTIFY on OUTBOX_CHANNEL). PostgreSQL only: notifications do not
// cross pglite-socket, where the drain relies on its poll. Nothing depends on a notification arriving.
import type { Logger } from '@neuronetiq/client';
import { isSharedSessionBackend, listen, OUTBOX_CHANNEL } from '@neuronetiq/db';

export interface OutboxListener {
  /** `listen` when notifications arrive, `poll` when the database cannot deliver them. */
  readonly mode: 'listen' | 'poll';
  close(): Promise<void>;
}

export async function listenForOutbox(
  databaseUrl: string,
  onNotify: () => void,
  logger: Logger,
  reconnectMs = 5_000,
): Promise<OutboxListener> {
  if (await isSharedSessionBackend(databaseUrl)) {
    logger.info({}, 'embedded database: no notifications over pglite-socket, the outbox drain polls');
    return { mode: 'poll', close: async () => {} };
  }
  // After every (re)connect `listen` calls onNotify too: what was parked while nobody listened is drained then.
  const unlisten = await listen(databaseUrl, OUTBOX_CHANNEL, () => onNotify(), {
    reconnectMs,
    applicationName: 'cron-outbox-listener',
    onError: (err) => logger.warn({ err: err.message }, 'outbox listener lost its connection; reconnecting'),
  });
  return { mode: 'listen', close: unlisten };
}
