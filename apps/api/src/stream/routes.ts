import { StreamQuerySchema } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { parseOrThrow } from '../http/validate';
import { type StreamConnection, streamEvents } from './stream-events';

const EVENT_ID = /^\d{1,15}$/;

/** `Last-Event-ID` (EventSource's reconnect) wins over `?last_event_id=` (clients that cannot set headers). */
function resumeAfter(header: string | string[] | undefined, fromQuery: number | undefined): number | undefined {
  if (header === undefined) return fromQuery;
  if (Array.isArray(header) || !EVENT_ID.test(header.trim())) {
    throw new AppError('VALIDATION_ERROR', {
      message: 'Last-Event-ID must be the id of an event of this stream (a whole number)',
      details: [{ path: 'headers.last-event-id', message: 'must be a whole number from 0' }],
    });
  }
  return Number(header.trim());
}

/** GET /api/stream: server-sent events of what the caller may see (see stream-events.ts). */
export function registerStreamRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const open = new Set<StreamConnection>();
  app.addHook('preClose', async () => {
    await Promise.all([...open].map((c) => c.close()));
  });

  app.get('/api/stream', async (req, reply) => {
    const query = parseOrThrow(StreamQuerySchema, req.query, 'query');
    const lastEventId = resumeAfter(req.headers['last-event-id'], query.last_event_id);
    await deps.stream.tail.ready();
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    const connection = streamEvents(deps, {
      principal: req.principal,
      query,
      lastEventId,
      tail: deps.stream.tail,
      res: reply.raw,
      heartbeatMs: deps.stream.heartbeatMs,
      onError: (err) => req.log.error({ err }, 'event stream failed'),
    });
    open.add(connection);
    await connection.done;
    open.delete(connection);
  });
}
