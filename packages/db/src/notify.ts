// LISTEN/NOTIFY: a best-effort wake-up between services (the outbox: the orchestrator parks an item, the cron drains
// it at once instead of at its next poll). PostgreSQL only — notifications do not cross pglite-socket — so nothing may
// depend on one arriving: a listener always has a poll behind it.
import type { Queryable } from './client';
import { openDedicatedSession } from './session-locks';

/** Channel on which a new ml.ingest_outbox item is announced; the payload is its kind. */
export const OUTBOX_CHANNEL = 'ml_ingest_outbox';

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
function checkChannel(channel: string): string {
  if (!CHANNEL.test(channel)) throw new RangeError(`channel must be a lower-case identifier, got "${channel}"`);
  return channel;
}

/** `pg_notify(channel, payload)`; delivered to listeners when the surrounding transaction (if any) commits. */
export async function notify(db: Queryable, channel: string, payload = ''): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [checkChannel(channel), payload]);
}

export interface ListenOptions {
  /** Wait before reconnecting after the connection is lost. */
  reconnectMs?: number;
  /** Told when the connection is lost (it reconnects on its own) and when a reconnect fails. */
  onError?: (err: Error) => void;
  applicationName?: string;
}

/**
 * LISTENs on `channel` on a connection of its own and calls `onNotify(payload)` for each notification. A lost
 * connection is re-opened after `reconnectMs`; `onNotify('')` is called after every (re)connect, because anything
 * announced while nobody listened was missed. Resolves once listening; the function it resolves with stops it.
 */
export async function listen(
  databaseUrl: string,
  channel: string,
  onNotify: (payload: string) => void,
  options: ListenOptions = {},
): Promise<() => Promise<void>> {
  checkChannel(channel);
  const reconnectMs = options.reconnectMs ?? 5_000;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let current: { close(): Promise<void> } | undefined;

  const connect = async (): Promise<void> => {
    const session = await openDedicatedSession(databaseUrl, {
      applicationName: options.applicationName ?? `listen:${channel}`,
    });
    session.onNotification((n) => {
      if (n.channel === channel) onNotify(n.payload ?? '');
    });
    session.onLost((err) => {
      if (current === session) current = undefined;
      void session.close();
      options.onError?.(err);
      schedule();
    });
    try {
      await session.query(`LISTEN ${channel}`);
    } catch (err) {
      await session.close();
      throw err;
    }
    if (closed) {
      await session.close();
      return;
    }
    current = session;
    onNotify('');
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((err: Error) => {
        options.onError?.(err);
        schedule();
      });
    }, reconnectMs);
  };

  await connect();
  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    const session = current;
    current = undefined;
    await session?.close();
  };
}
