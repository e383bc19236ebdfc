import { StreamEventSchema, StreamHeadersSchema, StreamQuerySchema } from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import type { ApiDeps } from '../deps';
import { type StreamConnection, streamEvents } from './stream-events';

/** GET /api/stream: server-sent events of what the caller may see (see stream-events.ts). */
export function streamRoutes(app: ServiceApp, deps: ApiDeps): void {
  const open = new Set<StreamConnection>();
  app.addHook('preClose', async () => {
    await Promise.all([...open].map((c) => c.close()));
  });

  app.get(
    '/api/stream',
    {
      config: { access: { principal: 'anyone' } },
      schema: {
        summary: 'Live signals, consensus and bars as server-sent events (what you may read; anyone)',
        description:
          "text/event-stream. Each event: `id:` (the event log id), `event:` signal | consensus | bar, `data:` a StreamEvent. Resume with the `Last-Event-ID` header (or `?last_event_id=`): nothing stored after that id is missed while the log keeps it (EVENT_LOG_RETENTION_MS on the cron). Heartbeat comments keep idle connections open. Browsers: EventSource cannot send Authorization, so the web app proxies the stream through its own server route, adding the bearer token; anonymous callers get public models' signals and bars.",
        tags: ['stream'],
        querystring: StreamQuerySchema,
        headers: StreamHeadersSchema,
        response: {
          200: { description: 'the event stream', content: { 'text/event-stream': { schema: StreamEventSchema } } },
          ...errorResponses(),
        },
      },
    },
    async (req, reply) => {
      const query = req.query;
      const lastEventId = req.headers['last-event-id'] ?? query.last_event_id;
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
    },
  );
}
