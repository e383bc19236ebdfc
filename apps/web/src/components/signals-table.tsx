import type { StoredSignal } from '@neuronetiq/contracts';
import { formatPercent } from '../lib/format';
import { DecisionBadge } from './decision-badge';
import { LocalTime } from './local-time';

export type SignalRow = StoredSignal & { backfilled?: boolean };

/** Latest signals, newest first; `showModel` adds the model column (dashboards listing several models). */
export function SignalsTable({
  signals,
  locale,
  showModel = false,
  caption,
  testId = 'signals-table',
}: {
  signals: SignalRow[];
  locale: string;
  showModel?: boolean;
  caption: string;
  testId?: string;
}) {
  if (signals.length === 0) {
    return (
      <p className="p-6 text-center text-sm text-muted" data-testid={`${testId}-empty`}>
        No signals yet. They appear here the moment they are stored.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-border">
          <tr>
            <th scope="col" className="th">
              Bar
            </th>
            {showModel && (
              <th scope="col" className="th">
                Model
              </th>
            )}
            <th scope="col" className="th">
              Series
            </th>
            <th scope="col" className="th">
              Call
            </th>
            <th scope="col" className="th text-right">
              Confidence
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {signals.map((s) => (
            <tr key={`${s.owner}/${s.model_id}/${s.symbol}/${s.timeframe}/${s.bar_ts}`} data-testid="signal-row">
              <td className="td whitespace-nowrap text-muted">
                <LocalTime iso={s.bar_ts} />
                {s.late && <span className="badge ml-1.5 bg-surface-2 text-muted">late</span>}
                {s.backfilled && <span className="badge ml-1.5 bg-warn-bg text-warn-fg">backfilled</span>}
              </td>
              {showModel && <td className="td font-mono text-xs">{s.model_id}</td>}
              <td className="td whitespace-nowrap font-mono text-xs">
                {s.symbol} · {s.timeframe}
              </td>
              <td className="td">
                <DecisionBadge decision={s.decision} />
              </td>
              <td className="td text-right tabular-nums">{formatPercent(locale, s.confidence, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
