import { type NextRequest, NextResponse } from 'next/server';
import { getWebUrl } from './env';

// Pages that need a session. Their server components verify it; this only turns the obvious case (no session cookie
// at all) into a real redirect before any streaming starts.
const SIGNED_IN_ONLY = ['/marketplace/vendor', '/marketplace/setup', '/cli/authorize'];
const SESSION_COOKIES = ['nq.session_token', '__Secure-nq.session_token'];

/**
 * One origin everywhere: a page opened at 127.0.0.1 (or any other name of this server) is redirected to WEB_URL
 * before anything sets a cookie, so an OAuth round trip never starts on one host and returns to another (where its
 * state cookie would be missing). Health checks answer on any host.
 */
export function proxy(request: NextRequest) {
  const canonical = new URL(getWebUrl());
  const host = request.headers.get('host');
  const { pathname, search } = request.nextUrl;
  if (host && host !== canonical.host && pathname !== '/api/canonical') {
    const redirect = new URL('/api/canonical', request.url);
    redirect.search = new URLSearchParams({ to: pathname + search }).toString();
    return NextResponse.rewrite(redirect);
  }
  if (
    SIGNED_IN_ONLY.some((p) => pathname === p || pathname.startsWith(`${p}/`)) &&
    !SESSION_COOKIES.some((c) => request.cookies.has(c))
  ) {
    const login = new URL('/marketplace/login', canonical);
    login.searchParams.set('next', pathname + search);
    return NextResponse.redirect(login, 307);
  }
  return NextResponse.next();
}

export const config = { matcher: ['/((?!health|_next/static|_next/image|favicon.ico).*)'] };
