// The api process's one reader of the event log's head. Ids come from an identity column, so they are handed out in
// insert order but become visible in commit order: id 7 may commit while id 6 is still in flight. A stream that sent
// 7 and then resumed "after 7" would miss 6 for good. The tail therefore publishes a *safe head*: the highest id such
// that every smaller id is either visible or will never be (rolled back or trimmed). A missing id below a visible one
// was allocated before that one committed, so its transaction was running when we looked: once every transaction that
// was in flight at that snapshot has ended, a still-missing id is gone for good.
import {
  type Db,
  EVENT_LOG_CHANNEL,
  eventLogStart,
  isSharedSessionBackend,
  listen,
  scanEventLog,
} from '@neuronetiq/db';

export interface EventLogTailOptions {
  /** Poll interval when nothing wakes the tail (the embedded database, where notifications do not cross the socket). */
  pollMs?: number;
  /** With LISTEN/NOTIFY (PostgreSQL), the safety poll behind the notifications. */
  listenPollMs?: number;
  /** Where to LISTEN; unset: poll only. */
  databaseUrl?: string | undefined;
  onError?: (err: Error) => void;
}

const SCAN_LIMIT = 5000;

export interface EventLogTail {
  /** Every id up to this one is final. */
  readonly safeHead: number;
  readonly mode: 'listen' | 'poll';
  /** Resolves once the first scan has set the safe head. */
  ready(): Promise<void>;
  /** Called whenever the safe head advances; returns the unsubscribe function. */
  subscribe(onAdvance: (safeHead: number) => void): () => void;
  /** Scans now (tests, and the notification handler). */
  wake(): void;
  close(): Promise<void>;
}

export function createEventLogTail(db: Db, options: EventLogTailOptions = {}): EventLogTail {
  let safe = -1;
  let waitingOn: Set<string> | null = null;
  let mode: 'listen' | 'poll' = 'poll';
  let closed = false;
  let scanning = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  const listeners = new Set<(head: number) => void>();
  let resolveReady: () => void = () => {};
  const readyPromise = new Promise<void>((r) => {
    resolveReady = r;
  });

  const advance = (ids: number[], inFlight: string[]): boolean => {
    let head = safe;
    for (const id of ids) {
      if (id !== head + 1) {
        // A gap: final when nothing was in flight, or when everything that was (at the snapshot we first saw it in)
        // has since ended.
        const running = new Set(inFlight);
        const settled = waitingOn === null ? running.size === 0 : ![...waitingOn].some((x) => running.has(x));
        if (!settled) {
          waitingOn ??= running;
          break;
        }
      }
      waitingOn = null;
      head = id;
    }
    if (head === safe) return false;
    safe = head;
    return true;
  };

  const scan = async (): Promise<void> => {
    if (scanning) {
      again = true;
      return;
    }
    scanning = true;
    try {
      if (safe < 0) safe = await eventLogStart(db);
      for (;;) {
        again = false;
        const { ids, inFlight } = await scanEventLog(db, safe, SCAN_LIMIT);
        const moved = advance(ids, inFlight);
        if (moved) for (const l of listeners) l(safe);
        resolveReady();
        // A full batch means more is waiting: read on at once.
        if (!(again || (moved && ids.length >= SCAN_LIMIT)) || closed) break;
      }
    } catch (err) {
      options.onError?.(err as Error);
    } finally {
      scanning = false;
    }
  };

  const schedule = () => {
    if (closed) return;
    const every = mode === 'listen' ? (options.listenPollMs ?? 1000) : (options.pollMs ?? 200);
    timer = setTimeout(async () => {
      await scan();
      schedule();
    }, every);
    timer.unref();
  };

  const start = async () => {
    if (options.databaseUrl && !(await isSharedSessionBackend(options.databaseUrl))) {
      unlisten = await listen(options.databaseUrl, EVENT_LOG_CHANNEL, () => void scan(), {
        applicationName: 'api-event-log',
        ...(options.onError ? { onError: options.onError } : {}),
      });
      mode = 'listen';
    }
    await scan();
    schedule();
  };
  const started = start().catch((err: Error) => {
    options.onError?.(err);
    schedule();
  });

  return {
    get safeHead() {
      return safe;
    },
    get mode() {
      return mode;
    },
    ready: async () => {
      await started;
      await readyPromise;
    },
    subscribe(onAdvance) {
      listeners.add(onAdvance);
      return () => listeners.delete(onAdvance);
    },
    wake: () => void scan(),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await started;
      await unlisten?.();
      listeners.clear();
      resolveReady();
    },
  };
}
