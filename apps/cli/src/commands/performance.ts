import type { TrackRecord } from '@neuronetiq/contracts';
import type { Context } from '../context';
import { table } from '../output';

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

export const performanceTable = (records: readonly TrackRecord[]) =>
  table(records, [
    { header: 'owner', value: (r) => r.owner },
    { header: 'model', value: (r) => r.model_id },
    { header: 'symbol', value: (r) => r.symbol },
    { header: 'tf', value: (r) => r.timeframe },
    { header: 'scored', value: (r) => r.scored, align: 'right' },
    { header: 'resolved', value: (r) => r.resolved, align: 'right' },
    { header: 'hits', value: (r) => r.hits, align: 'right' },
    { header: 'hit rate', value: (r) => pct(r.hit_rate), align: 'right' },
    {
      header: 'avg return',
      value: (r) => (r.avg_return === null ? '-' : `${(r.avg_return * 10_000).toFixed(2)} bp`),
      align: 'right',
    },
  ]);

/** `mp performance [model]`: track records (yours and the public models'). */
export async function performance(
  ctx: Context,
  o: { model?: string; owner?: string; symbol?: string; tf?: string; window: number },
): Promise<void> {
  const client = ctx.token ? ctx.client() : ctx.anonymous();
  const records = await client.performance({
    ...(o.model ? { model_id: o.model } : {}),
    ...(o.owner ? { owner: o.owner } : {}),
    ...(o.symbol ? { symbol: o.symbol } : {}),
    ...(o.tf ? { tf: o.tf as TrackRecord['timeframe'] } : {}),
    window: o.window,
  });
  ctx.out.data(records);
  ctx.out.say(
    records.length
      ? performanceTable(records)
      : // Live calls only: say why a model with a track record on its page can show none here.
        "no scored signals you can see yet: a signal is scored once its bar has closed (on-time signals only); another owner's live signals count here after the platform's delay unless you subscribe, and backfilled demo history shows only on the model's page",
  );
}
