import type { Metadata } from 'next';
import Link from 'next/link';
import { safeNext } from '../../../lib/safe-next';
import { requireViewer } from '../../../server/viewer';

export const metadata: Metadata = { title: 'Welcome' };

export default async function SetupPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer('/marketplace/setup');
  const params = await searchParams;
  const next = safeNext(typeof params.next === 'string' ? params.next : undefined);
  const steps = [
    { title: 'Register a model', body: 'Give it an id and a description; choose public or private.' },
    { title: 'Create an API key', body: 'Shown once. Your model posts signals with it, or run `mp login`.' },
    { title: 'Publish signals', body: 'POST /api/signals/store before the bar closes; the marketplace scores them.' },
  ];
  return (
    <div className="mx-auto max-w-2xl space-y-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Welcome, {viewer.name}</h1>
        <p className="mt-2 text-muted">
          Your vendor name is{' '}
          <strong className="font-mono text-text" data-testid="setup-owner">
            {viewer.owner}
          </strong>
          . It is assigned once and identifies your models and signals everywhere.
        </p>
      </div>
      <ol className="grid gap-3 sm:grid-cols-3">
        {steps.map((s, i) => (
          <li key={s.title} className="card p-4">
            <span className="text-xs font-semibold text-accent">Step {i + 1}</span>
            <h2 className="mt-1 font-medium">{s.title}</h2>
            <p className="mt-1 text-sm text-muted">{s.body}</p>
          </li>
        ))}
      </ol>
      <div className="flex gap-3">
        <Link href={next === '/marketplace/setup' ? '/marketplace/vendor' : next} className="btn-primary">
          Continue
        </Link>
        <Link href="/marketplace" className="btn-secondary">
          Browse the marketplace
        </Link>
      </div>
    </div>
  );
}
