import type { IdentityProvider } from '@neuronetiq/contracts';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { getAuth } from './auth';

/** The signed-in person, from a session better-auth verified against the database (never from the cookie alone). */
export interface Viewer {
  /** auth.users id in the api: the `sub` of minted tokens. */
  userId: string;
  owner: string;
  provider: IdentityProvider;
  login: string;
  name: string;
  image: string | null;
}

/** The viewer of this request, or null; one session lookup per request. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = await getAuth().api.getSession({ headers: await headers() });
  if (!session) return null;
  const u = session.user as typeof session.user & {
    owner?: string | null;
    apiUserId?: string | null;
    provider?: string | null;
    login?: string | null;
  };
  if (!u.owner || !u.apiUserId) return null;
  return {
    userId: u.apiUserId,
    owner: u.owner,
    provider: u.provider === 'google' ? 'google' : 'github',
    login: u.login ?? u.owner,
    name: u.name,
    image: u.image ?? null,
  };
});

/** The viewer, or a redirect to the sign-in page that comes back to `returnTo`. */
export async function requireViewer(returnTo: string): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/marketplace/login?next=${encodeURIComponent(returnTo)}`);
  return viewer;
}

/**
 * For server actions: the signed-in person, or what to tell them instead. A session that could not be checked (the
 * database did not answer) is not a signed-out one: telling that person to sign in again would send them on a detour.
 */
export async function viewerForAction(): Promise<{ viewer: Viewer } | { failed: string }> {
  try {
    const viewer = await getViewer();
    return viewer ? { viewer } : { failed: 'Your session ended. Sign in again.' };
  } catch (err) {
    console.error(`checking the session failed: ${err instanceof Error ? err.message : String(err)}`);
    return { failed: 'Your session could not be checked just now. Nothing was changed; try again.' };
  }
}
