'use server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { safeNext } from '../../../lib/safe-next';
import { enabledProviders, GITHUB_LOGIN, getAuth } from '../../../server/auth';

export interface SignInState {
  error: string | null;
}

/** Starts the OAuth authorization-code flow: better-auth stores the state and PKCE verifier, then we redirect. */
export async function signInWith(_prev: SignInState, form: FormData): Promise<SignInState> {
  const provider = String(form.get('provider'));
  const next = safeNext(String(form.get('next') ?? ''));
  if (!enabledProviders().includes(provider as 'github' | 'google')) {
    return { error: `Sign-in with ${provider} is not configured on this server.` };
  }
  const result = await getAuth().api.signInSocial({
    body: {
      provider,
      callbackURL: next,
      newUserCallbackURL: `/marketplace/setup?next=${encodeURIComponent(next)}`,
      errorCallbackURL: `/marketplace/login?next=${encodeURIComponent(next)}`,
    },
    headers: await headers(),
  });
  if (!result?.url) return { error: 'The provider could not be reached. Try again in a moment.' };
  redirect(result.url);
}

/** The development sign-in (AUTH_DEV_LOGIN=true only: the endpoint does not exist otherwise). */
export async function devSignIn(_prev: SignInState, form: FormData): Promise<SignInState> {
  const login = String(form.get('login') ?? '').trim();
  const next = safeNext(String(form.get('next') ?? ''));
  if (!GITHUB_LOGIN.test(login)) {
    return { error: 'Enter a GitHub login: letters, digits and single hyphens, at most 39 characters.' };
  }
  const auth = getAuth() as unknown as {
    api: { devSignIn?: (o: { body: { login: string }; headers: Headers }) => Promise<unknown> };
  };
  if (!auth.api.devSignIn) return { error: 'Development sign-in is off on this server.' };
  try {
    await auth.api.devSignIn({ body: { login }, headers: await headers() });
  } catch (err) {
    return { error: `Sign-in failed: ${(err as Error).message}` };
  }
  redirect(next);
}
