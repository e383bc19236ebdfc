import { getWebUrl } from '../../../env';

/**
 * The redirect to WEB_URL for requests that reached this server under another name (see proxy.ts). It is answered
 * here rather than in the proxy because Next shortens a proxy redirect between localhost and 127.0.0.1 on the same
 * port to a relative one, which would send the browser back to the host it came from.
 */
export function GET(req: Request): Response {
  const to = new URL(req.url).searchParams.get('to') ?? '/';
  const target = new URL(to.startsWith('/') && !to.startsWith('//') ? to : '/', getWebUrl());
  return new Response(null, { status: 308, headers: { location: target.toString(), 'cache-control': 'no-store' } });
}
