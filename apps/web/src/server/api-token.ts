import { SignJWT } from 'jose';
import type { Viewer } from './viewer';

/**
 * A Supabase-shaped session token for one api call: the api verifies it with the same secret and runs the request as
 * `authenticated` with these claims, so RLS decides what the viewer reads. Short-lived: it never leaves the server.
 */
export async function mintApiToken(
  viewer: Viewer,
  options: { secret: string; ttlS: number; issuer?: string | undefined; nowMs?: number },
) {
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const jwt = new SignJWT({
    role: 'authenticated',
    app_metadata: { provider: viewer.provider, providers: [viewer.provider] },
    user_metadata: { user_name: viewer.login, owner: viewer.owner, avatar_url: viewer.image, full_name: viewer.name },
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(viewer.userId)
    .setAudience('authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlS);
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
