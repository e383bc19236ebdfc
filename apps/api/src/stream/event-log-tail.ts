// The api process's one reader of the event log's head. Ids come from an identity column, so they are handed out in
// insert order but become visible in commit order: id 7 may commit while id 6 is still in flight. A stream that sent
// 7 and then resumed "after 7" would miss 6 for good. The tail therefore publishes a *safe head*: the highest id such
// that every smaller id is either visible or will never be (rolled back or trimmed). A missing id below a visible one
// was allocated before that one committed, so its transaction was running when we looked: once every transaction that
// was writing the log at that snapshot has ended (see repos.eventLog.scan: the writers are read after the snapshot, so the
// check is made at a later scan), a still-missing id is gone for good. The same rule starts the tail: the newest id at
// start becomes the safe head once the log's writers then have ended.
//
// The tail runs only while someone streams: the first subscriber starts it (LISTEN or polling), and it stops a while
// after the last one has left, so an api nobody streams from does no work for it.
import {
  type Db,
  EVENT_LOG_CHANNEL,
  type EventLogScan,
  isSharedSessionBackend,
  listen,
  repos,
  serviceStatements,
} from '@neuronetiq/db';

export interface EventLogTailOptions {
  /** Poll interval when nothing wakes the tail (the embedded database, where notifications do not cross the socket). */
  pollMs?: number;
  /** With LISTEN/NOTIFY (PostgreSQL), the safety poll behind the notifications. */
  listenPollMs?: number;
  /** Where to LISTEN; unset: poll only. */
  databaseUrl?: string | undefined;
  /** How long the tail keeps running after its last subscriber has left. */
  idleStopMs?: number;
  onError?: (err: Error) => void;
}

const SCAN_LIMIT = 5000;

export interface EventLogTail {
  /** Every id up to this one is final (-1 until the tail has started). */
  readonly safeHead: number;
  /** Starts the tail if needed; resolves once the safe head is known. */
  ready(): Promise<void>;
  /** Called whenever the safe head advances; returns the unsubscribe function. */
  subscribe(onAdvance: (safeHead: number) => void): () => void;
  close(): Promise<void>;
}

export function createEventLogTail(pool: Db, options: EventLogTailOptions = {}): EventLogTail {
  // Each scan is a transaction of its own as the service role (one round trip): the api's login role reads nothing
  // by itself, and the scan must see every owner's rows to know which ids are final.
  const db = serviceStatements(pool);
  const listeners = new Set<(head: number) => void>();
  let run: ReturnType<typeof startRun> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;

  function startRun() {
    let safe = -1;
    // The writers seen with the gap at safe + 1 (or with the start): it is final once none of them is running.
    let waitingOn: Set<string> | null = null;
    let mode: 'listen' | 'poll' = 'poll';
    let stopped = false;
    let scanning = false;
    let again = false;
    let timer: NodeJS.Timeout | undefined;
    let unlisten: (() => Promise<void>) | undefined;
    let resolveReady: () => void = () => {};
    const ready = new Promise<void>((r) => {
      resolveReady = r;
    });
    // Set at start: the newest id then, published once the log's writers then have ended.
    let pendingStart: { id: number; writers: Set<string> } | null = null;

    const settled = (waiting: Set<string>, running: Set<string>) => ![...waiting].some((x) => running.has(x));

    const advance = (scan: EventLogScan): boolean => {
      let head = safe;
      for (const id of scan.ids) {
        if (id !== head + 1) {
          // A gap: its id was taken before this snapshot, so its writer was either running at the snapshot and still
          // writing just after it (one of the writers that were also running), or has ended (then readers, who read
          // after us, see its rows). Final when there is no such writer, else once none of them is running.
          if (waitingOn === null) {
            const candidates = new Set([...scan.writers].filter((x) => scan.running.has(x)));
            if (candidates.size > 0) {
              waitingOn = candidates;
              break;
            }
          } else if (!settled(waitingOn, scan.running)) {
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
        if (safe < 0) {
          const first = await repos.eventLog.scan(db, 0, 0);
          pendingStart ??= { id: first.maxId, writers: first.writers };
          // Nobody writing: the head is final at once; else at a later scan, when those writers have ended.
          if (pendingStart.writers.size > 0 && !settled(pendingStart.writers, first.running)) return;
          safe = pendingStart.id;
          resolveReady();
        }
        for (;;) {
          again = false;
          const result = await repos.eventLog.scan(db, safe, SCAN_LIMIT);
          const moved = advance(result);
          if (moved) for (const l of listeners) l(safe);
          // A full batch means more is waiting: read on at once.
          if (!(again || (moved && result.ids.length >= SCAN_LIMIT)) || stopped) break;
        }
      } catch (err) {
        options.onError?.(err as Error);
      } finally {
        scanning = false;
      }
    };

    const schedule = () => {
      if (stopped) return;
      const every = mode === 'listen' ? (options.listenPollMs ?? 1000) : (options.pollMs ?? 200);
      timer = setTimeout(async () => {
        await scan();
        schedule();
      }, every);
      timer.unref();
    };

    const started = (async () => {
      if (options.databaseUrl && !(await isSharedSessionBackend(options.databaseUrl))) {
        unlisten = await listen(options.databaseUrl, EVENT_LOG_CHANNEL, () => void scan(), {
          applicationName: 'api-event-log',
          ...(options.onError ? { onError: options.onError } : {}),
        });
        mode = 'listen';
      }
      await scan();
    })()
      .catch((err: Error) => options.onError?.(err))
      .finally(schedule);

    return {
      get safe() {
        return safe;
      },
      ready,
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        await started;
        if (timer) clearTimeout(timer);
        await unlisten?.();
        resolveReady();
      },
    };
  }

  const ensureRunning = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    run ??= startRun();
    return run;
  };

  return {
    get safeHead() {
      return run?.safe ?? -1;
    },
    ready: () => ensureRunning().ready,
    subscribe(onAdvance) {
      ensureRunning();
      listeners.add(onAdvance);
      return () => {
        listeners.delete(onAdvance);
        if (listeners.size === 0 && run && !idleTimer) {
          const stopping = run;
          idleTimer = setTimeout(() => {
            idleTimer = undefined;
            if (listeners.size === 0 && run === stopping) {
              run = undefined;
              void stopping.stop();
            }
          }, options.idleStopMs ?? 30_000);
          idleTimer.unref();
        }
      };
    },
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      listeners.clear();
      const current = run;
      run = undefined;
      await current?.stop();
    },
  };
}
