import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold text-accent">404</p>
      <h1 className="mt-2 text-2xl font-semibold">This page does not exist</h1>
      <p className="mt-2 text-muted">
        The model may have been made private or renamed, or the link is mistyped. Search the marketplace instead.
      </p>
      <form method="get" action="/marketplace" className="mx-auto mt-6 flex max-w-sm gap-2">
        <label htmlFor="nf-q" className="sr-only">
          Search models
        </label>
        <input id="nf-q" name="q" className="input" placeholder="Search models" />
        <button type="submit" className="btn-primary">
          Search
        </button>
      </form>
      <Link href="/marketplace" className="mt-4 inline-block text-sm text-accent hover:underline">
        Back to the marketplace
      </Link>
    </div>
  );
}
