'use client';
import { useActionState } from 'react';
import { devSignIn, type SignInState, signInWith } from './actions';

const initial: SignInState = { error: null };

export function ProviderButton({ provider, label, next }: { provider: string; label: string; next: string }) {
  const [state, action, pending] = useActionState(signInWith, initial);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="provider" value={provider} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" className="btn-primary w-full py-2.5" disabled={pending}>
        {pending ? 'Redirecting…' : label}
      </button>
      {state.error && (
        <p role="alert" className="text-sm text-sell">
          {state.error}
        </p>
      )}
    </form>
  );
}

export function DevSignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(devSignIn, initial);
  return (
    <form action={action} className="space-y-2" data-testid="dev-login-form">
      <input type="hidden" name="next" value={next} />
      <label htmlFor="dev-login" className="label">
        GitHub login (development sign-in)
      </label>
      <div className="flex gap-2">
        <input id="dev-login" name="login" required autoComplete="username" placeholder="octocat" className="input" />
        <button type="submit" className="btn-secondary shrink-0" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
      {state.error && (
        <p role="alert" className="text-sm text-sell">
          {state.error}
        </p>
      )}
    </form>
  );
}
