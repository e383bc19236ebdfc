import { StreamQuerySchema } from '@neuronetiq/contracts';
import { getEnv } from '../../../env';
import { isPassingFailure, reconnectLater, STREAM_HEADERS } from '../../../lib/stream-relay';
import { authorization } from '../../../server/api';
import { getViewer } from '../../../server/viewer';

export const dynamic = 'force-dynamic';
// On Vercel a function ends after maxDuration seconds: the browser's EventSource then reconnects with Last-Event-ID and
// resumes where it stopped, so a longer life only saves reconnects (300 s is the plans' common ceiling).
export const maxDuration = 300;

/**
 * The api's `GET /api/stream` for the browser, as the signed-in viewer (or anonymously): the browser never holds an
 * api token. `Last-Event-ID` (sent by EventSource on reconnect) is passed on so that a dropped connection resumes
 * where it stopped.
 */
export async function GET(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const query = StreamQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    const details = query.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return Response.json(
      { success: false, error: 'VALIDATION_ERROR', message: details[0]?.message ?? 'bad query', details },
      { status: 400 },
    );
  }
  const viewer = await getViewer();
  const upstream = new URL('/api/stream', getEnv().INFRA_API_URL);
  for (const [k, v] of Object.entries(query.data)) if (v !== undefined) upstream.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'text/event-stream', ...(await authorization(viewer)) };
  const lastEventId = req.headers.get('last-event-id');
  if (lastEventId && /^\d{1,16}$/.test(lastEventId)) headers['last-event-id'] = lastEventId;

  let res: Response;
  try {
    res = await fetch(upstream, { headers, signal: req.signal, cache: 'no-store' });
  } catch {
    return reconnectLater();
  }
  if (!res.ok && isPassingFailure(res.status)) {
    await res.body?.cancel();
    return reconnectLater();
  }
  if (!res.ok || !res.body) {
    return new Response(await res.text(), {
      status: res.status === 401 ? 401 : 502,
      headers: { 'content-type': 'application/json' },
    });
  }
  return new Response(res.body, { headers: STREAM_HEADERS });
}
