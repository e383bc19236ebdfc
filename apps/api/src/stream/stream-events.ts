import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { StreamEvent, StreamEventType, StreamQuery } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import type { EventLogTail } from './event-log-tail';

/** Rows of the log read per query; a slow client lags behind in the log, never in memory. */
const READ_LIMIT = 500;

export interface StreamConnection {
  /** Ends the stream (shutdown); resolves once the response has ended. */
  close(): Promise<void>;
  /** Resolves when the client has gone or the stream was closed. */
  readonly done: Promise<void>;
}

const frame = (e: StreamEvent) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * Serves one viewer's event stream on `res` (headers already sent): starting after `lastEventId` (or at the head when
 * absent), it reads what the viewer may see from the log whenever the tail's safe head advances, one read at a time,
 * and waits for the socket to drain before reading on (backpressure: a slow reader lags in the log, not in memory).
 */
export function streamEvents(
  deps: Pick<ApiDeps, 'db'>,
  req: {
    principal: Principal;
    query: StreamQuery;
    lastEventId: number | undefined;
    tail: EventLogTail;
    res: ServerResponse;
    heartbeatMs: number;
    onError: (err: Error) => void;
  },
): StreamConnection {
  const { tail, res } = req;
  const ctx = readContext(req.principal);
  const types = req.query.types?.split(',') as StreamEventType[] | undefined;
  // A resume id beyond the head (a database that was reset) would wait for ids that may never come: start at the head.
  let cursor =
    req.lastEventId === undefined || req.lastEventId > tail.safeHead ? tail.safeHead : Math.max(0, req.lastEventId);
  let ended = false;
  let pumping = false;
  let again = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
    resolveDone();
  };

  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!ended && cursor < tail.safeHead) {
          const upto = tail.safeHead;
          const { events, scannedTo } = await deps.db.asRequest(ctx, (tx) =>
            repos.eventLog.read(tx, {
              after: cursor,
              upto,
              limit: READ_LIMIT,
              symbol: req.query.symbol,
              tf: req.query.tf,
              types,
              role: ctx.role,
            }),
          );
          if (ended) return;
          const chunk = events.map(frame).join('');
          cursor = scannedTo;
          if (chunk && !res.write(chunk)) {
            await Promise.race([once(res, 'drain'), done]);
          }
        }
      } while (again && !ended);
    } catch (err) {
      req.onError(err as Error);
      end();
    } finally {
      pumping = false;
    }
  };

  const unsubscribe = tail.subscribe(() => void pump());
  const heartbeat = setInterval(() => {
    if (!ended) res.write(': heartbeat\n\n');
  }, req.heartbeatMs);
  heartbeat.unref();
  res.on('close', end);
  res.on('error', end);
  // The client may have gone while the tail was starting.
  if (res.destroyed) end();
  // Tell EventSource how soon to reconnect, and flush the headers at once.
  res.write('retry: 2000\n: connected\n\n');
  void pump();

  return {
    done,
    async close() {
      end();
      await done;
    },
  };
}
