import type { ApiKey, Model, StoredConsensus, StoredSignal } from '@neuronetiq/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { VendorLivePanels } from '../../../components/live-panels';
import { LocalTime } from '../../../components/local-time';
import type { Envelope } from '../../../lib/market';
import { api } from '../../../server/api';
import { getLocale } from '../../../server/locale';
import { requireViewer } from '../../../server/viewer';
import { CreateKeyForm, EditModelForm, KeyRow, RegisterModelForm } from './forms';

export const metadata: Metadata = { title: 'Vendor dashboard' };

export default async function VendorPage() {
  const viewer = await requireViewer('/marketplace/vendor');
  const locale = await getLocale();
  const [signals, consensus, models, keys] = await Promise.all([
    api<Envelope<StoredSignal[]>>(viewer, '/api/signals', { query: { limit: 25 } }),
    api<Envelope<StoredConsensus[]>>(viewer, '/api/consensus', { query: { limit: 10 } }),
    api<Envelope<Model[]>>(viewer, '/api/models', { query: { owner: viewer.owner, limit: 200 } }),
    api<Envelope<ApiKey[]>>(viewer, '/api/keys'),
  ]);
  const mine = models.data.filter((m) => m.owner === viewer.owner);
  const activeKeys = keys.data.filter((k) => !k.revoked_at);
  return (
    <div className="space-y-8">
      <header className="flex flex-col gap-4 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex items-center gap-3">
          {viewer.image && (
            // biome-ignore lint/performance/noImgElement: provider avatar
            <img src={viewer.image} alt="" width={44} height={44} className="rounded-full" />
          )}
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">Vendor dashboard</h1>
            <p className="text-sm text-muted">
              Owner{' '}
              <strong className="font-mono text-text" data-testid="dashboard-owner">
                {viewer.owner}
              </strong>
              {' · '}signed in with {viewer.provider === 'github' ? 'GitHub' : 'Google'} as {viewer.login}
            </p>
          </div>
        </div>
        <div className="flex items-center gap-2 text-sm">
          <Link href="/marketplace/vendor/revenue" className="btn-secondary h-8 px-3">
            Revenue
          </Link>
          <Link href="/marketplace/subscriptions" className="btn-secondary h-8 px-3">
            My subscriptions
          </Link>
          <span className="badge bg-surface-2 px-2.5 py-1">{mine.length} models</span>
          <span className="badge bg-surface-2 px-2.5 py-1">{activeKeys.length} active keys</span>
        </div>
      </header>

      <VendorLivePanels
        owner={viewer.owner}
        initialSignals={signals.data}
        initialConsensus={consensus.data}
        locale={locale}
      />

      <section className="card overflow-hidden" aria-labelledby="models-title">
        <h2 id="models-title" className="border-b border-border px-4 py-2.5 text-sm font-medium">
          My models
        </h2>
        {mine.length === 0 ? (
          <p className="px-4 pt-4 text-sm text-muted">No models yet. Register one to publish signals under it.</p>
        ) : (
          <ul className="divide-y divide-border" data-testid="my-models">
            {mine.map((m) => (
              <li key={m.model_id} className="grid gap-3 p-4 md:grid-cols-[220px_1fr]">
                <div>
                  <Link
                    href={`/marketplace/models/${m.owner}/${m.model_id}`}
                    className="font-medium text-accent hover:underline"
                  >
                    {m.name}
                  </Link>
                  <div className="font-mono text-xs text-muted">{m.model_id}</div>
                  <div className="mt-1 text-xs text-muted">
                    registered <LocalTime iso={m.created_at} />
                  </div>
                </div>
                <EditModelForm model={m} />
              </li>
            ))}
          </ul>
        )}
        <div className="border-t border-border">
          <h3 className="px-4 pt-4 text-sm font-medium">Register a model</h3>
          <RegisterModelForm />
        </div>
      </section>

      <section className="card overflow-hidden" aria-labelledby="keys-title">
        <h2 id="keys-title" className="border-b border-border px-4 py-2.5 text-sm font-medium">
          API keys
        </h2>
        <CreateKeyForm />
        {keys.data.length > 0 && (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
          <section className="overflow-x-auto border-t border-border" tabIndex={0} aria-label="API keys">
            <table className="w-full" data-testid="api-keys">
              <caption className="sr-only">Your API keys</caption>
              <thead>
                <tr>
                  <th scope="col" className="th">
                    Name
                  </th>
                  <th scope="col" className="th">
                    Key
                  </th>
                  <th scope="col" className="th hidden sm:table-cell">
                    Created
                  </th>
                  <th scope="col" className="th hidden md:table-cell">
                    Last used
                  </th>
                  <th scope="col" className="th text-right">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {keys.data.map((k) => (
                  <KeyRow key={k.id} apiKey={k} />
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>
    </div>
  );
}
