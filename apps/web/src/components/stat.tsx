import type { ReactNode } from 'react';

export function Stat({
  label,
  value,
  hint,
  tone,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: 'buy' | 'sell';
}) {
  return (
    <div className="card p-4">
      <dt className="text-xs font-medium uppercase tracking-wide text-muted">{label}</dt>
      <dd
        className={`mt-1 text-2xl font-semibold tabular-nums ${tone === 'buy' ? 'text-buy' : tone === 'sell' ? 'text-sell' : ''}`}
      >
        {value}
      </dd>
      {hint && <dd className="mt-0.5 text-xs text-muted">{hint}</dd>}
    </div>
  );
}
