'use client';
import Link from 'next/link';

/** Any page's failure: say what happened in words, offer a retry and a way out, and a reference for support. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center" role="alert">
      <p className="text-sm font-semibold text-sell">Something went wrong</p>
      <h1 className="mt-2 text-2xl font-semibold">We could not load this page</h1>
      <p className="mt-2 text-muted">
        The data service may be restarting or unreachable. Your data is safe; try again in a few seconds.
      </p>
      <div className="mt-6 flex justify-center gap-3">
        <button type="button" onClick={reset} className="btn-primary">
          Try again
        </button>
        <Link href="/marketplace" className="btn-secondary">
          Go to the marketplace
        </Link>
      </div>
      {error.digest && (
        <p className="mt-6 text-xs text-muted">
          Reference: <code className="font-mono">{error.digest}</code>
        </p>
      )}
    </div>
  );
}
