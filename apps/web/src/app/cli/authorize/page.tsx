import type { Metadata } from 'next';
import { requireViewer } from '../../../server/viewer';
import { ApproveForm } from './approve-form';

export const metadata: Metadata = { title: 'Authorize the CLI' };

export default async function CliAuthorizePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const raw = typeof params.code === 'string' ? params.code : '';
  const viewer = await requireViewer(`/cli/authorize${raw ? `?code=${encodeURIComponent(raw)}` : ''}`);
  const normal = raw
    .trim()
    .toUpperCase()
    .replace(/^([A-Z]{4})-?([A-Z]{4})$/, '$1-$2');
  const valid = /^[A-Z]{4}-[A-Z]{4}$/.test(normal);
  return (
    <div className="mx-auto max-w-md py-8">
      <div className="card space-y-5 p-6">
        <div>
          <h1 className="text-xl font-semibold">Sign in the mp CLI</h1>
          <p className="mt-1 text-sm text-muted">
            A terminal asked to act as <strong className="text-text">{viewer.owner}</strong>. Approve only if it shows
            this same code.
          </p>
        </div>
        {valid ? (
          <>
            <p
              className="rounded-lg bg-surface-2 py-4 text-center font-mono text-3xl font-semibold tracking-[0.2em]"
              data-testid="cli-user-code"
            >
              {normal}
            </p>
            <ApproveForm code={normal} owner={viewer.owner} />
          </>
        ) : (
          <form method="get" action="/cli/authorize" className="space-y-2">
            <label htmlFor="code" className="label">
              Code shown by `mp login`
            </label>
            <input id="code" name="code" className="input font-mono uppercase" placeholder="ABCD-EFGH" required />
            {raw && (
              <p role="alert" className="text-sm text-sell">
                &ldquo;{raw}&rdquo; is not a code: it looks like ABCD-EFGH.
              </p>
            )}
            <button type="submit" className="btn-primary w-full">
              Continue
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
