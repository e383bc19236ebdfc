import type { ReactNode } from 'react';
import { Explain } from './explain';

export function Stat({
  label,
  value,
  hint,
  tone,
  explain,
}: {
  label: string;
  /** What the figure means: shown on hover and focus of the label, and read as its description. */
  explain?: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: 'buy' | 'sell';
}) {
  return (
    <div className="card p-4">
      <dt className="text-xs font-medium uppercase tracking-wide text-muted">
        {explain ? (
          <Explain id={`stat-card-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`} text={explain}>
            {label}
          </Explain>
        ) : (
          label
        )}
      </dt>
      <dd
        className={`mt-1 text-2xl font-semibold tabular-nums ${tone === 'buy' ? 'text-buy' : tone === 'sell' ? 'text-sell' : ''}`}
      >
        {value}
      </dd>
      {hint && <dd className="mt-0.5 text-xs text-muted">{hint}</dd>}
    </div>
  );
}
