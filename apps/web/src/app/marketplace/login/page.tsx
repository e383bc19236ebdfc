import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getEnv } from '../../../env';
import { safeNext } from '../../../lib/safe-next';
import { enabledProviders } from '../../../server/auth';
import { getViewer } from '../../../server/viewer';
import { DevSignInForm, ProviderButton } from './sign-in-forms';

export const metadata: Metadata = { title: 'Sign in' };

// better-auth's error codes, as a person should read them.
const ERRORS: Record<string, string> = {
  state_mismatch: 'The sign-in took too long or was started in another tab. Start again.',
  please_restart_the_process: 'The sign-in took too long or was started in another tab. Start again.',
  access_denied: 'You cancelled the sign-in at the provider.',
  account_not_linked: 'This account is already linked to another sign-in.',
  unable_to_get_user_info: 'The provider did not share your profile. Try again, or use the other provider.',
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = safeNext(typeof params.next === 'string' ? params.next : undefined);
  if (await getViewer()) redirect(next);
  const error = typeof params.error === 'string' ? params.error : undefined;
  const providers = enabledProviders();
  const devLogin = getEnv().AUTH_DEV_LOGIN;
  return (
    <div className="mx-auto max-w-sm py-8">
      <div className="card space-y-5 p-6">
        <div>
          <h1 className="text-xl font-semibold">Sign in</h1>
          <p className="mt-1 text-sm text-muted">
            Publish models, manage API keys and follow your signals. Your vendor name comes from your GitHub login.
          </p>
        </div>
        {error && (
          <p role="alert" className="rounded-lg bg-sell/10 p-3 text-sm text-sell">
            {ERRORS[error] ?? `Sign-in failed (${error}). Try again.`}
          </p>
        )}
        <div className="space-y-3">
          {providers.includes('github') && (
            <ProviderButton provider="github" label="Continue with GitHub" next={next} />
          )}
          {providers.includes('google') && (
            <ProviderButton provider="google" label="Continue with Google" next={next} />
          )}
          {providers.length === 0 && !devLogin && (
            <p className="text-sm text-muted">
              No sign-in provider is configured. Set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (or Google&apos;s) for
              the web app; see README.md.
            </p>
          )}
        </div>
        {devLogin && (
          <div className="border-t border-border pt-4">
            <DevSignInForm next={next} />
          </div>
        )}
      </div>
    </div>
  );
}
